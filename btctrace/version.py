"""btctrace's version: one line, below every module that names it (the User-Agent, the manifest,
trace.json, the report, MISP and TagPack exports), so none of them imports the package root."""

__all__ = ["__version__"]

__version__ = "0.1.0"
