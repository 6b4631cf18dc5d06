"""btctrace: trace ransom and extortion payments in Bitcoin through public block explorers.

The public API is re-exported here, each name imported when first used (PEP 562), so that
``btctrace --version`` and ``--help`` do not load pandas and NetworkX; the command line lives in
:mod:`btctrace.cli`.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from btctrace.version import __version__

if TYPE_CHECKING:  # what the names below are, for readers and type checkers
    from btctrace.case import Case, load_case
    from btctrace.errors import BtctraceError, ExitCode
    from btctrace.job import TraceJob
    from btctrace.model import AddressStats, Outspend, Tx, TxIn, TxOut, TxStatus
    from btctrace.runner import TraceOutcome, run_case, run_trace
    from btctrace.tracing.result import Direction, Seed, StopReason, TraceLimits, TraceResult
    from btctrace.tracing.walk import trace_backward, trace_forward

__all__ = [
    "__version__",
    "AddressStats", "BtctraceError", "Case", "Direction", "ExitCode", "Outspend", "Seed", "StopReason",
    "TraceJob", "TraceLimits", "TraceOutcome", "TraceResult", "Tx", "TxIn", "TxOut", "TxStatus",
    "load_case", "run_case", "run_trace", "trace_backward", "trace_forward",
]

_HOMES = {
    "btctrace.case": ("Case", "load_case"),
    "btctrace.errors": ("BtctraceError", "ExitCode"),
    "btctrace.job": ("TraceJob",),
    "btctrace.model": ("AddressStats", "Outspend", "Tx", "TxIn", "TxOut", "TxStatus"),
    "btctrace.runner": ("TraceOutcome", "run_case", "run_trace"),
    "btctrace.tracing.result": ("Direction", "Seed", "StopReason", "TraceLimits", "TraceResult"),
    "btctrace.tracing.walk": ("trace_backward", "trace_forward"),
}
_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}


def __getattr__(name: str) -> Any:
    """A public name, imported from its home module on first use, then kept here."""
    if name not in _HOME_OF:
        raise AttributeError(f"module 'btctrace' has no attribute {name!r}")
    value = getattr(import_module(_HOME_OF[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
