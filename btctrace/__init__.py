"""btctrace: trace ransom and extortion payments in Bitcoin through public block explorers.

The public API is re-exported here; the command line lives in :mod:`btctrace.cli`.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
