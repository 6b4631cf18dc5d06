"""Public attribution sources fetched by btctrace itself (``btctrace tags fetch``): where each
is published (:mod:`.catalogue`), and the download, unpacking and import of one
(:mod:`.fetch`). The network is reached only through :mod:`btctrace.providers.downloads`."""

__all__: list[str] = []
