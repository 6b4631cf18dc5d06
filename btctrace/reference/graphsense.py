"""graphsense-lib's CoinJoin heuristics as a second opinion (optional extra ``btctrace[reference]``).

graphsense-lib (Iknaio, MIT) implements the same published rules independently:
``calculate_heuristics(tx, 'btc', ..., ['all_coinjoin'])`` in
``graphsenselib/db/asynchronous/services/heuristics_service.py`` (Whirlpool Tx0 and mix, Wasabi
1.x and 2.0, JoinMarket, the Stonewall veto) and ``graphsenselib/ingest/utxo.py:is_coinjoin``
(its port of BlockSci's generic rule). This module only translates a :class:`Tx` into the shape
those functions read and their answer into btctrace's kind names; it decides nothing itself.
Pure: no I/O, no network (graphsense-lib is called without its database callbacks).
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import importlib.util
import logging
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, Iterable

from btctrace.model import Tx

__all__ = ["REFERENCE_EXTRA", "SecondOpinion", "reference_implementation", "graphsense_opinions"]

REFERENCE_EXTRA = "btctrace[reference]"
_DISTRIBUTION = "graphsense-lib"
_NEEDED_MODULES = ("graphsenselib", "sqlmodel")  # its heuristics module imports sqlmodel (extra tagstore)


@dataclass(frozen=True, slots=True)
class SecondOpinion:
    """What graphsense-lib says of one transaction. ``kind`` uses btctrace's detector names
    (``whirlpool_tx0``, ``whirlpool_mix``, ``wabisabi``, ``wasabi1``, ``joinmarket``) or None;
    ``generic`` is its BlockSci port; ``confidence`` is graphsense-lib's own 0-100 score."""

    txid: str
    kind: str | None
    generic: bool
    confidence: int | None
    detail: str

    @property
    def is_coinjoin(self) -> bool:
        return self.kind is not None or self.generic


def reference_implementation() -> str | None:
    """``"graphsense-lib 2.18.1"`` when the extra is installed, else None. Looks at the installed
    distributions only: importing graphsense-lib takes seconds, paid only when a traced
    transaction could be a CoinJoin (:func:`graphsense_opinions`)."""
    try:
        version = importlib.metadata.version(_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return None
    if any(importlib.util.find_spec(name) is None for name in _NEEDED_MODULES):
        return None
    return f"{_DISTRIBUTION} {version}"


def _modules() -> tuple[Any, Any]:
    from graphsenselib.db.asynchronous.services import heuristics_service  # noqa: PLC0415 (optional extra)
    from graphsenselib.ingest import utxo  # noqa: PLC0415
    return heuristics_service, utxo


def _service_tx(tx: Tx) -> dict[str, Any]:
    """The row shape heuristics_service reads: inputs/outputs with ``address`` (a list) and ``value``."""
    def side(items: Iterable[Any], spent: bool) -> list[SimpleNamespace]:
        return [SimpleNamespace(address=[item.address] if item.address else None, value=item.value,
                                spent_tx_id=getattr(item, "prev_txid", None) if spent else None) for item in items]
    return {"tx_hash": tx.txid, "coinbase": tx.is_coinbase, "inputs": side(tx.inputs, True),
            "outputs": side(tx.outputs, False)}


def _ingest_tx(tx: Tx) -> dict[str, Any]:
    """The row shape ``ingest.utxo.is_coinjoin`` reads (BlockSci port)."""
    inputs = [{"addresses": [i.address], "value": i.value} if i.address else {"value": i.value} for i in tx.inputs]
    outputs = [{"value": o.value} for o in tx.outputs]
    return {"input_count": len(inputs), "output_count": len(outputs), "inputs": inputs, "outputs": outputs}


def _kind(coinjoin: Any) -> tuple[str | None, int | None, str]:
    """btctrace's name for graphsense-lib's strongest protocol answer (Tx0 first, as btctrace does)."""
    if coinjoin is None:
        return None, None, "no protocol detector fired"
    answers = []
    if coinjoin.whirlpool_tx0 is not None and coinjoin.whirlpool_tx0.detected:
        answers.append(("whirlpool_tx0", coinjoin.whirlpool_tx0.confidence,
                        f"Whirlpool Tx0, pool {coinjoin.whirlpool_tx0.pool_denomination_sat} sat"))
    if coinjoin.whirlpool_coinjoin is not None and coinjoin.whirlpool_coinjoin.detected:
        mix = coinjoin.whirlpool_coinjoin
        answers.append(("whirlpool_mix", mix.confidence, f"Whirlpool mix, pool {mix.pool_denomination_sat} sat, "
                                                         f"{mix.n_new_entrants} new entrants"))
    if coinjoin.wasabi is not None and coinjoin.wasabi.detected:
        kind = "wabisabi" if coinjoin.wasabi.version == "2.0" else "wasabi1"
        answers.append((kind, coinjoin.wasabi.confidence, f"Wasabi {coinjoin.wasabi.version}"))
    if coinjoin.joinmarket is not None and coinjoin.joinmarket.detected:
        answers.append(("joinmarket", coinjoin.joinmarket.confidence,
                        f"JoinMarket, {coinjoin.joinmarket.n_participants} participants"))
    if not answers:
        return None, None, "no protocol detector fired"
    kind, confidence, detail = answers[0]
    return kind, int(confidence), "; ".join(a[2] for a in answers)


async def _opinions(txs: list[Tx], service: Any, utxo: Any) -> dict[str, SecondOpinion]:
    opinions = {}
    for tx in txs:
        result = await service.calculate_heuristics(_service_tx(tx), "btc", None, ["all_coinjoin"])
        kind, confidence, detail = _kind(result.coinjoin_heuristics)
        generic = not tx.is_coinbase and bool(utxo.is_coinjoin(_ingest_tx(tx)))
        if generic:
            detail += "; BlockSci generic rule fires"
        opinions[tx.txid] = SecondOpinion(tx.txid, kind, generic, confidence, detail)
    return opinions


def graphsense_opinions(txs: Iterable[Tx]) -> dict[str, SecondOpinion]:
    """graphsense-lib's opinion of every transaction (txid -> :class:`SecondOpinion`).
    Raises ImportError when the extra is not installed (check :func:`reference_implementation`)."""
    ordered = sorted(txs, key=lambda t: t.txid)
    if not ordered:
        return {}
    service, utxo = _modules()
    log = logging.getLogger(service.__name__)
    level = log.level
    log.setLevel(logging.ERROR)  # it warns on every Tx0 that no database is there to confirm it
    try:
        return asyncio.run(_opinions(ordered, service, utxo))
    finally:
        log.setLevel(level)
