"""Small hand-made transactions for heuristic tests (addresses are labels, values exact)."""

from __future__ import annotations

import hashlib
from itertools import count

from btctrace.model import Tx, TxIn, TxOut, TxStatus

_serial = count()


def make_tx(inputs, outputs, *, version=2, locktime=0, sequence=0xFFFFFFFD, height=800_000, txid=None) -> Tx:
    """inputs: [(address, value)] or [(address, value, script_type)]; outputs the same, with
    address None for OP_RETURN."""
    number = next(_serial)
    txid = txid or hashlib.sha256(f"tx{number}".encode()).hexdigest()
    ins = tuple(
        TxIn(i, hashlib.sha256(f"prev{number}-{i}".encode()).hexdigest(), 0, item[1], item[0],
             item[2] if len(item) > 2 else "p2wpkh", sequence)
        for i, item in enumerate(inputs)
    )
    outs = tuple(
        TxOut(i, item[1], "op_return" if item[0] is None else (item[2] if len(item) > 2 else "p2wpkh"), item[0])
        for i, item in enumerate(outputs)
    )
    fee = sum(i.value for i in ins) - sum(o.value for o in outs)
    return Tx(txid, version, locktime, 200, 800, fee, ins, outs, TxStatus(True, height, "00" * 32, 1_700_000_000))


def addresses(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{i:03d}" for i in range(n)]
