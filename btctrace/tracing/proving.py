"""Prove what the findings rest on: every block a traced transaction is confirmed in (its header
fetched once, hashing to the block hash, meeting its own proof of work, and its time the time
each of its transactions is given) and, by Merkle proof against that header, each transaction
the findings rest on: the seed's payments, the transfers on a path from the seed to an endpoint
or holding (a service, a large address, a CoinJoin, an unspent or unspendable output), and every
subpoena line (a deposit). ``all_txs`` proves every traced transaction.

An explorer that serves no headers or proofs (some self-hosted ones; a cassette recorded before
btctrace asked for them) does not stop the run: what could not be proven is recorded, and said
in ``trace.json``, the report and the run's summary; ``require`` turns it into a refusal. An
answer that *contradicts* the transactions is always refused (:class:`AnswerRefused`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from btctrace.consensus.blocks import BlockHeader
from btctrace.errors import AnswerRefused, BtctraceError, OfflineMiss, ProofsMissing, ProviderError, released
from btctrace.tracing.result import Direction, StopReason, TraceResult

__all__ = ["ProofRecord", "ProofStatus", "findings_txids", "prove_trace", "proof_line", "HOW_PROVEN"]

# How a traced transaction's place in the chain was established, as the exhibits say it.
HOW_PROVEN = {
    "merkle": "in its block by Merkle proof (its branch, or the block's whole txid list) checked against the block "
              "header (hash, proof of work and time checked)",
    "header": "block header checked (hash, proof of work, time); no Merkle proof asked (not a finding's transaction)",
    "unproven": "not proven: the explorer served no block header or Merkle proof for it",
    "unconfirmed": "unconfirmed: in no block yet",
}
# From this many transactions to prove in one block, the block's txid list (one request, about 65
# bytes a transaction of the block) is asked instead of a Merkle branch for each.
BLOCK_LIST_AT = 3
_NOT_RECORDED = "not in the cassette (recorded before btctrace asked for them)"
# Where the exhibits say the money ended (the Sankey's destinations): held, at a service or large
# address, in a CoinJoin, burnt. The other stops are the trace's own limits, not findings.
_ENDPOINTS = frozenset({StopReason.UNSPENT, StopReason.TAGGED_SERVICE, StopReason.LARGE_ADDRESS, StopReason.COINJOIN,
                        StopReason.UNSPENDABLE})


@dataclass(frozen=True)
class ProofStatus:
    """Where proving stands, for a progress line: *done* of *total* blocks (headers), then of the
    blocks whose transactions are proven by Merkle proof; *requests* asked so far."""

    stage: str  # "headers" | "merkle proofs"
    done: int
    total: int
    requests: int


@dataclass
class ProofRecord:
    """What was proven: by block (``proven`` or why not) and by transaction (a key of HOW_PROVEN)."""

    mode: str = "findings"  # "findings" | "all"
    blocks: dict[str, str] = field(default_factory=dict)
    txs: dict[str, str] = field(default_factory=dict)
    requests: int = 0
    unavailable: str = ""  # why headers or proofs were not served, when they were not

    def counts(self) -> dict[str, int]:
        counted = {how: 0 for how in HOW_PROVEN}
        for how in self.txs.values():
            counted[how] += 1
        return counted

    def unproven(self) -> list[str]:
        return sorted(txid for txid, how in self.txs.items() if how == "unproven")

    def as_json(self) -> dict[str, Any]:
        return {"mode": self.mode, "requests": self.requests, "unavailable": self.unavailable,
                "counts": self.counts(), "how": HOW_PROVEN,
                "blocks": [{"block_hash": h, "header": self.blocks[h]} for h in sorted(self.blocks)],
                "transactions": [{"txid": t, "proof": self.txs[t]} for t in sorted(self.txs)]}


def findings_txids(result: TraceResult) -> set[str]:
    """The traced transactions the findings rest on (see the module docstring). A forward trace:
    the seed's own transactions, the deposits and the CoinJoins found, then every traced
    transaction from which an endpoint or holding is reached, back through its traced funders;
    a backward trace: all."""
    if result.direction is not Direction.FORWARD:
        return set(result.txs)
    found = {t.tx.txid for t in result.txs.values() if t.hop == 0}
    found |= {d.txid for d in result.deposits if d.txid in result.txs}
    found |= {txid for txid in result.coinjoins if txid in result.txs}  # each CoinJoin the trace reports
    stack = [s.txid for s in result.stops if s.reason in _ENDPOINTS and s.txid in result.txs]
    while stack:
        txid = stack.pop()
        found.add(txid)
        stack += [i.prev_txid for i in result.txs[txid].tx.inputs if i.prev_txid in result.txs
                  and i.prev_txid not in found]
    return found


def _headers(provider: Any, result: TraceResult, record: ProofRecord,
             progress: Callable[[ProofStatus], None] | None) -> dict[str, BlockHeader]:
    """Each block's header, once; every traced transaction's block time checked against it."""
    blocks: dict[str, list[Any]] = {}
    for traced in result.txs.values():
        if traced.tx.status.confirmed:
            blocks.setdefault(traced.tx.status.block_hash, []).append(traced.tx)
    headers: dict[str, BlockHeader] = {}
    for done, block_hash in enumerate(sorted(blocks)):
        if progress is not None:
            progress(ProofStatus("headers", done, len(blocks), record.requests))
        header = None
        if not record.unavailable.startswith(_NOT_RECORDED):  # a cassette without one has none
            try:
                header = provider.get_block_header(block_hash)
            except AnswerRefused:
                raise
            except BtctraceError as exc:  # not served, not in the cassette: unproven, said so
                record.unavailable = record.unavailable or _why(exc)
                released(exc)
            record.requests += 1
        if header is None:
            record.blocks[block_hash] = "not served"
            record.unavailable = record.unavailable or "the explorer serves no block headers"
            continue
        provider.prove_block_times(header, sorted(blocks[block_hash], key=lambda t: t.txid))
        record.blocks[block_hash] = "proven"
        headers[block_hash] = header
    return headers


def _why(exc: BtctraceError) -> str:
    return _NOT_RECORDED if isinstance(exc, OfflineMiss) else \
        (exc.message if isinstance(exc, ProviderError) else str(exc))[:200]


def prove_trace(provider: Any, result: TraceResult, all_txs: bool = False, require: bool = False,
                progress: Callable[[ProofStatus], None] | None = None) -> ProofRecord:
    """Prove *result*'s blocks and the transactions its findings rest on (all with *all_txs*)
    through *provider*; with *require*, anything left unproven raises :class:`ProofsMissing`.
    *progress* is told where it stands before each block."""
    record = ProofRecord(mode="all" if all_txs else "findings")
    headers = _headers(provider, result, record, progress)
    wanted = set(result.txs) if all_txs else findings_txids(result)
    to_prove: dict[str, list[Any]] = {}  # block hash -> the transactions to prove in it
    for txid in sorted(result.txs):
        tx = result.txs[txid].tx
        header = headers.get(tx.status.block_hash) if tx.status.confirmed else None
        if not tx.status.confirmed:
            record.txs[txid] = "unconfirmed"
        elif header is None:
            record.txs[txid] = "unproven"
        elif txid not in wanted:
            record.txs[txid] = "header"
        else:
            to_prove.setdefault(header.hash, []).append(tx)
    for done, block_hash in enumerate(sorted(to_prove)):
        if progress is not None:
            progress(ProofStatus("merkle proofs", done, len(to_prove), record.requests))
        _prove_block(provider, headers[block_hash], to_prove[block_hash], record)
    if require and record.unproven():
        raise ProofsMissing(len(record.unproven()), len(result.txs), record.unavailable)
    return record


def _prove_block(provider: Any, header: BlockHeader, txs: list[Any], record: ProofRecord) -> None:
    """The transactions of one block: by the block's whole txid list when it holds
    :data:`BLOCK_LIST_AT` or more of them (one request), else by one Merkle branch each."""
    if len(txs) >= BLOCK_LIST_AT:
        record.requests += 1
        try:
            if provider.prove_by_block_txids(header, txs):
                record.txs.update((tx.txid, "merkle") for tx in txs)
                return
        except AnswerRefused:
            raise
        except BtctraceError as exc:
            released(exc)  # no list here: one branch each, below
    for tx in txs:
        record.txs[tx.txid] = _merkle(provider, tx, header, record)


def _merkle(provider: Any, tx: Any, header: BlockHeader, record: ProofRecord) -> str:
    record.requests += 1
    try:
        if provider.prove_in_block(tx, header):
            return "merkle"
    except AnswerRefused:
        raise
    except BtctraceError as exc:
        record.unavailable = record.unavailable or _why(exc)
        released(exc)
    record.unavailable = record.unavailable or "the explorer serves no Merkle proofs"
    return "unproven"


def proof_line(record: ProofRecord | None) -> str:
    """One sentence for the summary and the report: what was proven, and what was not."""
    if record is None:
        return "Proofs: none asked (this trace was read back from trace.json)"
    counts, proven = record.counts(), sum(1 for v in record.blocks.values() if v == "proven")
    line = (f"Proofs: {proven:,} of {len(record.blocks):,} block headers proven (hash, proof of work, time); "
            f"{counts['merkle']:,} transactions by Merkle proof, {counts['header']:,} by their block header only"
            f"{' (--prove-all asks a proof for each)' if counts['header'] else ''}, "
            f"{counts['unconfirmed']:,} unconfirmed, {counts['unproven']:,} unproven")
    if not counts["unproven"]:
        return line
    return f"{line.replace('Proofs:', 'Proofs INCOMPLETE:', 1)}: {record.unavailable}"
