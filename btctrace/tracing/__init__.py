"""Tracing: seeds, limits and results (:mod:`.result`), and the walk (:mod:`.walk`)."""

__all__: list[str] = []
