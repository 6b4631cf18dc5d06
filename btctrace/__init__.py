"""btctrace: trace ransom and extortion payments in Bitcoin through public block explorers.

The public API is re-exported here; the command line lives in :mod:`btctrace.cli`.
"""

__version__ = "0.1.0"

from btctrace.case import Case, load_case  # noqa: E402 (after __version__, which submodules read)
from btctrace.errors import BtctraceError, ExitCode  # noqa: E402
from btctrace.model import AddressStats, Outspend, Tx, TxIn, TxOut, TxStatus  # noqa: E402
from btctrace.runner import TraceJob, TraceOutcome, run_case, run_trace  # noqa: E402
from btctrace.tracing.result import Direction, Seed, StopReason, TraceLimits, TraceResult  # noqa: E402
from btctrace.tracing.walk import trace_backward, trace_forward  # noqa: E402

__all__ = [
    "__version__",
    "AddressStats", "BtctraceError", "Case", "Direction", "ExitCode", "Outspend", "Seed", "StopReason",
    "TraceJob", "TraceLimits", "TraceOutcome", "TraceResult", "Tx", "TxIn", "TxOut", "TxStatus",
    "load_case", "run_case", "run_trace", "trace_backward", "trace_forward",
]
