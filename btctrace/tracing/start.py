"""Where a walk starts: the transactions (and which of their outputs) each seed names.

A txid seed starts at its transaction, all outputs. A ``txid:vout`` seed starts at that one
output, which must exist and carry value (else one clear :class:`InvalidSeed`, exit 2). An
address seed starts at the transactions that paid it, following only what it received unless
the transaction also spends from a seed address; its history is read in full (up to
``max_seed_history``, recorded as a cap when it bites). Seeds naming the same transaction are
merged, so each transaction is visited once.
"""

from __future__ import annotations

from btctrace.errors import InvalidSeed
from btctrace.providers.base import Provider
from btctrace.tracing.result import Cap, Direction, Seed, TraceResult

__all__ = ["starting_points"]

Start = tuple[str, frozenset[int] | None]  # txid, outputs to follow (None: all)


def starting_points(provider: Provider, result: TraceResult) -> list[Start]:
    """The transactions the seeds of *result* start at, sorted by txid."""
    visits: dict[str, set[int] | None] = {}
    for seed in result.seeds:
        for txid, indices in _points_of(provider, result, seed):
            current = visits.get(txid, set())
            visits[txid] = None if indices is None or current is None else current | indices
    return [(txid, None if idx is None else frozenset(idx)) for txid, idx in sorted(visits.items())]


def _points_of(provider: Provider, result: TraceResult, seed: Seed) -> list[tuple[str, set[int] | None]]:
    if seed.kind == "tx":
        return [(seed.value, None)]
    if seed.kind == "outpoint":
        _check_outpoint(provider, seed)
        if result.direction is Direction.BACKWARD:
            return [(seed.value, None)]
        return [(seed.value, {seed.vout})]
    return _address_points(provider, result, seed.value)


def _check_outpoint(provider: Provider, seed: Seed) -> None:
    """A ``txid:vout`` seed names an output that exists and carries value."""
    outputs = provider.get_tx(seed.value).outputs
    if seed.vout >= len(outputs):
        raise InvalidSeed(str(seed), f"its transaction has {len(outputs)} outputs (vout 0 to {len(outputs) - 1})")
    if outputs[seed.vout].value == 0:
        kind = "a zero-value OP_RETURN (a data carrier)" if outputs[seed.vout].script_type == "op_return" \
            else "a zero-value output"
        raise InvalidSeed(str(seed), f"output {seed.vout} is {kind}: it carries no value to trace")


def _address_points(provider: Provider, result: TraceResult, address: str) -> list[tuple[str, set[int] | None]]:
    limits = result.limits
    stats = provider.get_address_stats(address)
    result.address_stats[address] = stats
    if stats.tx_count + stats.mempool_tx_count == 0:
        result.notes.append(f"seed {address} has no transactions at {result.api_url} (check the address and the network)")
    elif stats.tx_count > limits.large_address_tx_count:
        result.notes.append(f"seed {address} has {stats.tx_count} transactions, more than the large-address threshold "
                            f"{limits.large_address_tx_count}: expanded anyway because it is a seed")
    history = provider.get_address_history(address, limits.max_seed_history, stats.tx_count)
    if history.truncated:
        result.caps.append(Cap("max_seed_history", limits.max_seed_history,
                               f"history of seed {address} read only up to {len(history.txs)} of {stats.tx_count} "
                               "transactions"))
    points = []
    for tx in history.txs:
        received = {o.index for o in tx.outputs if o.address == address}
        if not received:
            continue  # reached through the outspends of the outputs it received
        spends_seed = any(i.address in result.seed_addresses for i in tx.inputs)
        follow_all = spends_seed or result.direction is Direction.BACKWARD
        points.append((tx.txid, None if follow_all else received))
    return points
