"""Recorded explorer traffic: vcrpy-format cassettes, recorded and replayed through a transport
adapter on btctrace's one HTTP session."""

__all__: list[str] = []
