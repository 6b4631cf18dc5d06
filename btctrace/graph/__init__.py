"""The trace graph: attribute names (:mod:`.schema`) and construction (:mod:`.build`)."""

__all__: list[str] = []
