"""btctrace: trace ransom and extortion payments in Bitcoin through public block explorers.

The public API is re-exported here; the command line lives in :mod:`btctrace.cli`.
"""

from btctrace.case import Case, load_case
from btctrace.errors import BtctraceError, ExitCode
from btctrace.job import TraceJob
from btctrace.model import AddressStats, Outspend, Tx, TxIn, TxOut, TxStatus
from btctrace.runner import TraceOutcome, run_case, run_trace
from btctrace.tracing.result import Direction, Seed, StopReason, TraceLimits, TraceResult
from btctrace.tracing.walk import trace_backward, trace_forward
from btctrace.version import __version__

__all__ = [
    "__version__",
    "AddressStats", "BtctraceError", "Case", "Direction", "ExitCode", "Outspend", "Seed", "StopReason",
    "TraceJob", "TraceLimits", "TraceOutcome", "TraceResult", "Tx", "TxIn", "TxOut", "TxStatus",
    "load_case", "run_case", "run_trace", "trace_backward", "trace_forward",
]
