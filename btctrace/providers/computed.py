"""The checks that recompute what an explorer answer claims, rather than compare it with
another answer: a transaction's txid from its bytes, each address from its script
(``txid_matches``, ``address_matches_script``), an address's history from what its own
transactions spend (``history_complete``). Pure; a failure raises
:class:`~btctrace.providers.checks.CheckFailure`.

Why they matter: the checks of :mod:`~btctrace.providers.checks` refuse answers that break an
invariant, but an attacker who controls one explorer can keep every invariant and still swap an
output's address, reorder inputs or move value from the fee to an output. Any change to what the
exhibits use changes the transaction's bytes and so its hash (BIP 141: the txid commits to every
input's outpoint, every output's value and script); the address is a pure function of the script.
A block's time is in its header, which must hash to the block hash and carry its proof of work;
a Merkle proof ties a txid to that header (``header_proven``, ``block_time_proven``,
``merkle_proven``).
"""

from __future__ import annotations

import re
from typing import Any, Iterable

from btctrace.consensus.blocks import BlockHeader, merkle_root, merkle_root_of_branch, parse_header
from btctrace.consensus.scripts import address_form
from btctrace.consensus.transactions import tx_bytes
from btctrace.model import AddressStats, Tx
from btctrace.providers.base import ESPLORA_MEMPOOL_PAGE_SIZE
from btctrace.providers.checks import TYPED_SCRIPTS, AddressValidator, CheckFailure
from btctrace.providers.esplora.mapping import script_type_name

__all__ = ["check_tx_bytes", "check_scripts", "check_history_complete", "check_stats_add_up", "check_header",
           "check_block_time", "check_merkle_proof", "check_block_txids"]

_HEX64 = re.compile(r"[0-9a-f]{64}")


def check_tx_bytes(raw: dict[str, Any]) -> None:
    """``txid_matches``: *raw* (an Esplora transaction object) serialises to bytes whose double
    SHA-256 is its txid, and whose sizes are its ``size`` and ``weight``."""
    txid = raw.get("txid")
    try:
        computed = tx_bytes(raw)
    except (ValueError, TypeError, AttributeError) as exc:
        raise CheckFailure("txid_matches", str(txid)[:80], f"its fields cannot be serialised: {exc}") from None
    if computed.txid != txid:
        raise CheckFailure("txid_matches", str(txid)[:80], f"its fields hash to {computed.txid}: the answer is not the "
                                                           "transaction it claims to be (a field was changed)")
    if (computed.size, computed.weight) != (raw.get("size"), raw.get("weight")):
        raise CheckFailure("txid_matches", txid, f"size {raw.get('size')} and weight {raw.get('weight')} given, its "
                                                 f"bytes make {computed.size} and {computed.weight}")


def _scripts_of(raw: dict[str, Any]) -> Iterable[tuple[str, dict[str, Any]]]:
    for index, vout in enumerate(raw["vout"]):
        yield f"output {index}", vout
    for index, vin in enumerate(raw["vin"]):
        if isinstance(vin.get("prevout"), dict):
            yield f"input {index} prevout", vin["prevout"]


def check_scripts(raw: dict[str, Any], addresses: AddressValidator) -> None:
    """``address_matches_script``: every ``scriptpubkey_address`` of *raw* (outputs and
    prevouts) decodes to the ``scriptpubkey`` beside it; a script of an address form is given
    its address and its type. Run after the ``address`` check (each address parses)."""
    for where, out in _scripts_of(raw):
        script, address = out.get("scriptpubkey"), out.get("scriptpubkey_address")
        claimed_type = out.get("scriptpubkey_type")
        if not isinstance(script, str):
            raise CheckFailure("address_matches_script", raw["txid"], f"{where} has no scriptpubkey hex")
        script = script.lower()
        form = address_form(script)
        problem = ""
        if address is None:
            if form:
                problem = f"{where} script {script[:90]} is a {form} script, but no address is given for it"
        elif addresses.script_of(address) != script:
            problem = (f"{where} address {address} encodes script {addresses.script_of(address)}, the answer's "
                       f"scriptpubkey is {script[:90]}")
        named = script_type_name(claimed_type) if isinstance(claimed_type, str) else "unknown"
        if not problem and form in TYPED_SCRIPTS and named != form:  # Esplora's names, mapped as the mapper does
            problem = f"{where} script is {form}, the answer calls it {str(claimed_type)[:40]}"
        if problem:
            raise CheckFailure("address_matches_script", raw["txid"], problem)


def check_history_complete(address: str, txs: Iterable[Tx]) -> None:
    """``history_complete``: a complete history of *address* lists the transaction of every
    output at *address* that one of its transactions spends (an omitted payment shows in its
    spender, listed in the same history because it spends from the address). Explorers list at
    most :data:`ESPLORA_MEMPOOL_PAGE_SIZE` unconfirmed transactions and page no further: with
    that many listed, only the confirmed spenders are held to it (their funders are confirmed,
    and the confirmed history is paged to its end)."""
    listed = list(txs)
    txids = {tx.txid for tx in listed}
    mempool_cut = sum(1 for tx in listed if not tx.status.confirmed) >= ESPLORA_MEMPOOL_PAGE_SIZE
    for tx in listed:
        if mempool_cut and not tx.status.confirmed:
            continue
        for txin in tx.inputs:
            if txin.address == address and txin.prev_txid not in txids:
                raise CheckFailure("history_complete", address, f"listed transaction {tx.txid} input {txin.index} "
                                                                f"spends {txin.prev_txid}:{txin.prev_vout}, paid to "
                                                                "this address, but the history does not list it")


def check_stats_add_up(stats: AddressStats, computed: AddressStats) -> None:
    """``history_complete``: the explorer's ``chain_stats`` are what its complete history adds up to."""
    names = ("tx_count", "funded_txo_count", "funded_txo_sum", "spent_txo_count", "spent_txo_sum")
    differ = [f"{name} {getattr(stats, name):,} (the pages add up to {getattr(computed, name):,})"
              for name in names if getattr(stats, name) != getattr(computed, name)]
    if differ:
        raise CheckFailure("history_complete", stats.address or computed.address,
                           "chain_stats say " + "; ".join(differ))


def check_header(text: Any, block_hash: str) -> BlockHeader:
    """``header_proven``: *text* is an 80-byte header that hashes to *block_hash* and meets the
    target its own bits state."""
    try:
        header = parse_header(text if isinstance(text, str) else "")
    except ValueError as exc:
        raise CheckFailure("header_proven", block_hash, f"not a block header: {exc}") from None
    if header.hash != block_hash:
        raise CheckFailure("header_proven", block_hash, f"the header hashes to {header.hash}")
    if not header.meets_its_target:
        raise CheckFailure("header_proven", block_hash, f"its hash is above the target its bits {header.bits:#010x} "
                                                        "state: no proof of work")
    return header


def check_block_time(tx: Tx, header: BlockHeader) -> None:
    """``block_time_proven``: the block time *tx* is given is its block header's."""
    if tx.status.block_time != header.time:
        raise CheckFailure("block_time_proven", tx.txid, f"given block time {tx.status.block_time}, the header of "
                                                         f"block {header.hash} says {header.time}")


def check_merkle_proof(tx: Tx, proof: Any, header: BlockHeader) -> None:
    """``merkle_proven``: Esplora's *proof* (``{block_height, merkle, pos}``) leads from the
    txid of *tx* to the Merkle root of *header*, at the height *tx* is given."""
    try:
        height, branch, pos = proof["block_height"], proof["merkle"], proof["pos"]
        if type(pos) is not int or pos < 0 or not isinstance(branch, list) or len(branch) > 32:
            raise ValueError("pos or merkle has the wrong type")
        root = merkle_root_of_branch(tx.txid, [str(h) for h in branch], pos)
    except (KeyError, TypeError, ValueError) as exc:
        raise CheckFailure("merkle_proven", tx.txid, f"not a Merkle proof ({exc})") from None
    if root != header.merkle_root or pos >> len(branch):
        raise CheckFailure("merkle_proven", tx.txid, f"the proof leads to Merkle root {root}, block {header.hash} "
                                                     f"has {header.merkle_root}")
    if height != tx.status.block_height:
        raise CheckFailure("merkle_proven", tx.txid, f"given block height {tx.status.block_height}, the proof says "
                                                     f"{str(height)[:20]}")


def check_block_txids(txids: Any, header: BlockHeader, txs: list[Tx]) -> None:
    """``merkle_proven`` for several transactions of one block at once: Esplora's
    ``/block/:hash/txids`` list hashes up to *header*'s Merkle root, and holds each of *txs*."""
    if not isinstance(txids, list) or not txids or not all(isinstance(t, str) and _HEX64.fullmatch(t) for t in txids):
        raise CheckFailure("merkle_proven", header.hash, "the block's txid list is not a list of 64-hex txids")
    root = merkle_root(txids)
    if root != header.merkle_root:
        raise CheckFailure("merkle_proven", header.hash, f"its {len(txids):,} txids hash to Merkle root {root}, the "
                                                         f"header has {header.merkle_root}")
    listed = set(txids)
    for tx in txs:
        if tx.txid not in listed:
            raise CheckFailure("merkle_proven", tx.txid, f"given block {header.hash}, whose txids do not include it")
