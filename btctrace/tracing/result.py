"""What a trace asked for and what it found, including every place and reason it stopped."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from btctrace.heuristics import Finding
from btctrace.model import AddressStats, Outspend, Tx

__all__ = [
    "Direction",
    "StopReason",
    "STOP_EXPLANATIONS",
    "Seed",
    "TraceLimits",
    "DEFAULT_STOP_CATEGORIES",
    "Stop",
    "Cap",
    "TracedTx",
    "TraceResult",
]


class Direction(str, Enum):
    FORWARD = "forward"  # outputs -> the transactions that spend them
    BACKWARD = "backward"  # inputs -> the transactions that funded them


class StopReason(str, Enum):
    HOP_LIMIT = "hop_limit"
    BELOW_MIN_VALUE = "below_min_value"
    OUTSIDE_WINDOW = "outside_window"
    UNSPENT = "unspent"
    LARGE_ADDRESS = "large_address"
    TAGGED_SERVICE = "tagged_service"
    MAX_TRANSACTIONS = "max_transactions"
    COINBASE = "coinbase"
    UNSPENDABLE = "unspendable"
    COINJOIN = "coinjoin"
    PEEL = "peel"
    FAN_OUT = "fan_out"
    VANISHED = "vanished"


STOP_EXPLANATIONS = {
    StopReason.HOP_LIMIT: "the hop limit was reached; the coins moved on beyond it",
    StopReason.BELOW_MIN_VALUE: "the amount is below the minimum value followed",
    StopReason.OUTSIDE_WINDOW: "the next transaction lies outside the time window",
    StopReason.UNSPENT: "unspent output: the coins are still held here (seizure candidate)",
    StopReason.LARGE_ADDRESS: "address with a large history (exchange or service?): not expanded",
    StopReason.TAGGED_SERVICE: "address tagged as a service (e.g. exchange): the trace ends at it",
    StopReason.MAX_TRANSACTIONS: "the maximum number of transactions was reached",
    StopReason.COINBASE: "newly mined coins: the origin of this money",
    StopReason.UNSPENDABLE: "unspendable output (OP_RETURN): these coins are destroyed",
    StopReason.COINJOIN: "the coins entered a CoinJoin: past it they are mixed with others' coins",
    StopReason.PEEL: "a peel off a peel chain: not followed (only the continuation is, as asked)",
    StopReason.FAN_OUT: "one of more transfers from one transaction than the fan-out limit: not followed",
    StopReason.VANISHED: "the explorer named the spending transaction, then twice denied knowing it "
                         "(replaced, evicted from the mempool, or an inconsistent explorer)",
}

# GraphSense taxonomy categories that end a forward walk by default: money that reaches them
# leaves the extortionist's control and calls for a subpoena, not more hops.
DEFAULT_STOP_CATEGORIES = frozenset(
    {"exchange", "wallet_service", "payment_processor", "mixing_service", "gambling", "market", "miner", "atm", "service"}
)


@dataclass(frozen=True, slots=True)
class Seed:
    """Where a trace starts: an address, a transaction, or one output (``txid:vout``)."""

    kind: str  # "address" | "tx" | "outpoint"
    value: str
    vout: int | None = None

    def __str__(self) -> str:
        return f"{self.value}:{self.vout}" if self.kind == "outpoint" else self.value


@dataclass(frozen=True)
class TraceLimits:
    hops: int = 6
    min_value: int = 0
    since: int | None = None  # unix seconds, inclusive, compared with block time
    until: int | None = None
    max_transactions: int = 1000
    large_address_tx_count: int = 1000
    max_seed_history: int = 10_000
    max_fan_out: int = 1000  # a transaction with more transfers to follow is not expanded (dust bombs, batches)
    stop_categories: frozenset[str] = DEFAULT_STOP_CATEGORIES
    through_coinjoins: bool = False  # expand CoinJoins (still flagged) instead of stopping at them
    peel_continuation_only: bool = False  # in 1-in/2-out steps follow only the continuation (change)


@dataclass(frozen=True, slots=True)
class Stop:
    """One place the walk ended, with why. ``side`` is ``output`` (forward) or ``input``."""

    reason: StopReason
    hop: int
    txid: str
    side: str
    index: int
    address: str | None
    value: int
    next_txid: str | None = None
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Cap:
    """A limit that bit and what it cut off."""

    name: str
    limit: int
    detail: str


@dataclass
class TracedTx:
    tx: Tx
    hop: int
    outspends: tuple[Outspend, ...] | None = None


@dataclass
class TraceResult:
    direction: Direction
    seeds: tuple[Seed, ...]
    limits: TraceLimits
    api_url: str
    txs: dict[str, TracedTx] = field(default_factory=dict)
    stops: list[Stop] = field(default_factory=list)
    caps: list[Cap] = field(default_factory=list)
    address_stats: dict[str, AddressStats] = field(default_factory=dict)
    seed_addresses: frozenset[str] = frozenset()
    requests: int = 0
    notes: list[str] = field(default_factory=list)  # facts about the seeds a reader must see
    coinjoins: dict[str, Finding] = field(default_factory=dict)  # traced txid -> detector finding
    cross_check: Any = None  # a providers.failover.CrossCheck when explorers were compared
    checks: dict[str, Any] | None = None  # the explorer-answer checks that passed, by name (ledger summary)
    deposits: list[Any] = field(default_factory=list)  # tracing.deposits.DepositStep (--attribute-endpoints)
    run_parameters: dict[str, Any] = field(default_factory=dict)  # the manifest's parameters, stated in trace.json
    proofs: Any = None  # a tracing.proving.ProofRecord: which blocks and transactions were proven, and how

    def sorted_txs(self) -> list[TracedTx]:
        """Transactions by hop, then block height (unconfirmed last), then txid."""
        return sorted(self.txs.values(), key=lambda t: (t.hop, t.tx.block_height or 1 << 62, t.tx.txid))

    def sorted_stops(self) -> list[Stop]:
        return sorted(self.stops, key=lambda s: (s.hop, s.txid, s.side, s.index, s.reason.value))
