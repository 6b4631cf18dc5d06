"""Build synthetic but well-formed Esplora transactions: valid mainnet addresses of every type,
fees from typical sizes; txids, sizes and weights of the transactions' own bytes. For the demo case and for tests."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from typing import Any

from embit import base58, bech32

from btctrace.consensus.transactions import tx_bytes
from btctrace.testing.chain import ChainStore

__all__ = ["Coin", "ChainBuilder", "encode_address", "SEQUENCE_FINAL", "SEQUENCE_RBF", "SEQUENCE_NO_RBF"]

SEQUENCE_FINAL = 0xFFFFFFFF
SEQUENCE_NO_RBF = 0xFFFFFFFE
SEQUENCE_RBF = 0xFFFFFFFD

# (non-witness bytes, witness bytes) per input, and bytes per output, by script type
# (typical single-sig spends; P2SH is P2SH-P2WPKH; P2WSH is 2-of-3 multisig).
_INPUT_BYTES = {"p2pkh": (148, 0), "p2sh": (64, 108), "p2wpkh": (41, 108), "p2wsh": (41, 253), "p2tr": (41, 66)}
_OUTPUT_BYTES = {"p2pkh": 34, "p2sh": 32, "p2wpkh": 31, "p2wsh": 43, "p2tr": 43, "op_return": 20}
_ESPLORA_TYPES = {"p2pkh": "p2pkh", "p2sh": "p2sh", "p2wpkh": "v0_p2wpkh", "p2wsh": "v0_p2wsh", "p2tr": "v1_p2tr"}


@dataclass(frozen=True)
class Coin:
    """An unspent output made by the builder."""

    txid: str
    vout: int
    address: str
    value: int
    script_type: str
    scriptpubkey: str


def _script(script_type: str, payload: bytes) -> tuple[str, str]:
    """scriptPubKey hex and asm (electrs style) for *payload*."""
    h = payload.hex()
    n = len(payload)
    return {
        "p2pkh": (f"76a914{h}88ac", f"OP_DUP OP_HASH160 OP_PUSHBYTES_20 {h} OP_EQUALVERIFY OP_CHECKSIG"),
        "p2sh": (f"a914{h}87", f"OP_HASH160 OP_PUSHBYTES_20 {h} OP_EQUAL"),
        "p2wpkh": (f"0014{h}", f"OP_0 OP_PUSHBYTES_20 {h}"),
        "p2wsh": (f"0020{h}", f"OP_0 OP_PUSHBYTES_32 {h}"),
        "p2tr": (f"5120{h}", f"OP_PUSHNUM_1 OP_PUSHBYTES_32 {h}"),
        "op_return": (f"6a{n:02x}{h}", f"OP_RETURN OP_PUSHBYTES_{n} {h}"),
    }[script_type]


def encode_address(script_type: str, payload: bytes) -> str:
    """The mainnet address of a *payload* (hash or key) of *script_type*, with its checksum."""
    if script_type == "p2pkh":
        return base58.encode_check(b"\x00" + payload)
    if script_type == "p2sh":
        return base58.encode_check(b"\x05" + payload)
    return bech32.encode("bc", 1 if script_type == "p2tr" else 0, payload)


class ChainBuilder:
    """Appends transactions to a :class:`ChainStore` in chain order."""

    def __init__(self, rng: random.Random, base_height: int, base_time: int, store: ChainStore | None = None):
        self.rng = rng
        self.base_height = base_height
        self.base_time = base_time
        self.store = store or ChainStore()
        self._scripts: dict[str, tuple[str, str]] = {}

    # ----- addresses and time ------------------------------------------------------------
    def address(self, script_type: str) -> str:
        size = 32 if script_type in {"p2wsh", "p2tr"} else 20
        payload = self.rng.randbytes(size)
        address = encode_address(script_type, payload)
        self._scripts[address] = (script_type, payload.hex())
        return address

    def script_type_of(self, address: str) -> str:
        return self._scripts[address][0]

    def block_time(self, height: int) -> int:
        jitter = int.from_bytes(hashlib.sha256(str(height).encode()).digest()[:2], "big") % 240 - 120
        return self.base_time + (height - self.base_height) * 600 + jitter

    def status(self, height: int | None) -> dict[str, Any]:
        if height is None:
            return {"confirmed": False}
        block_hash = hashlib.sha256(f"block {height}".encode()).hexdigest()
        return {"confirmed": True, "block_height": height, "block_hash": block_hash, "block_time": self.block_time(height)}

    # ----- transactions --------------------------------------------------------------------
    def _vout(self, address: str | None, value: int, data: bytes = b"") -> dict[str, Any]:
        if address is None:
            hex_, asm = _script("op_return", data)
            return {"scriptpubkey": hex_, "scriptpubkey_asm": asm, "scriptpubkey_type": "op_return", "value": value}
        script_type, payload = self._scripts[address]
        hex_, asm = _script(script_type, bytes.fromhex(payload))
        return {"scriptpubkey": hex_, "scriptpubkey_asm": asm, "scriptpubkey_type": _ESPLORA_TYPES[script_type],
                "scriptpubkey_address": address, "value": value}

    def _vin(self, coin: Coin, sequence: int) -> dict[str, Any]:
        vin: dict[str, Any] = {"txid": coin.txid, "vout": coin.vout, "prevout": self._vout(coin.address, coin.value),
                               "scriptsig": "", "scriptsig_asm": "", "is_coinbase": False, "sequence": sequence}
        signature = self.rng.randbytes(71).hex()
        if coin.script_type == "p2pkh":
            vin["scriptsig"] = signature + self.rng.randbytes(33).hex()
            vin["scriptsig_asm"] = f"OP_PUSHBYTES_71 {signature} OP_PUSHBYTES_33 {vin['scriptsig'][142:]}"
        elif coin.script_type == "p2tr":
            vin["witness"] = [self.rng.randbytes(64).hex()]
        else:
            vin["witness"] = [signature, self.rng.randbytes(33).hex()]
        return vin

    def vsize(self, input_types: list[str], output_types: list[str]) -> int:
        return (self._weight(input_types, output_types) + 3) // 4

    @staticmethod
    def _weight(input_types: list[str], output_types: list[str]) -> int:
        base = 10 + sum(_INPUT_BYTES[t][0] for t in input_types) + sum(_OUTPUT_BYTES[t] for t in output_types)
        witness = sum(_INPUT_BYTES[t][1] for t in input_types)
        return base * 4 + (witness + 2 if witness else 0)

    def _finish(self, tx: dict[str, Any], height: int | None) -> list[Coin]:
        serialised = tx_bytes(tx)  # the txid, size and weight of the transaction's own bytes
        tx["size"], tx["weight"] = serialised.size, serialised.weight
        tx["status"] = self.status(height)
        tx = {"txid": serialised.txid, **tx}
        self.store.add_tx(tx, synthetic=True)
        return [
            Coin(tx["txid"], i, out["scriptpubkey_address"], out["value"], self.script_type_of(out["scriptpubkey_address"]),
                 out["scriptpubkey"])
            for i, out in enumerate(tx["vout"]) if "scriptpubkey_address" in out
        ]

    def coinbase(self, height: int, address: str, value: int) -> Coin:
        tag = self.rng.randbytes(8).hex()
        vin = [{"txid": "0" * 64, "vout": 0xFFFFFFFF, "prevout": None, "scriptsig": f"03{height.to_bytes(3, 'little').hex()}{tag}",
                "scriptsig_asm": "", "witness": ["00" * 32], "is_coinbase": True, "sequence": SEQUENCE_FINAL}]
        tx = {"version": 2, "locktime": 0, "vin": vin, "vout": [self._vout(address, value)], "fee": 0}
        return self._finish(tx, height)[0]

    def spend(self, height: int | None, inputs: list[Coin], payments: list[tuple[str | None, int]],
              change: str | None = None, feerate: int = 12, locktime: int | None = None,
              sequence: int = SEQUENCE_RBF, version: int = 2, change_at: int | None = None) -> list[Coin]:
        """Spend *inputs* to *payments* (address None = OP_RETURN); the rest minus a fee at
        *feerate* sat/vB goes to *change* (when given), placed last or at output *change_at*.
        Returns the new coins in vout order."""
        input_types = [c.script_type for c in inputs]
        output_types = ["op_return" if a is None else self.script_type_of(a) for a, _ in payments]
        if change is not None:
            output_types.append(self.script_type_of(change))
        fee = feerate * self.vsize(input_types, output_types)
        vout = [self._vout(a, v, b"btctrace-demo") for a, v in payments]
        remainder = sum(c.value for c in inputs) - sum(v for _, v in payments) - fee
        if change is not None:
            vout.insert(len(vout) if change_at is None else change_at, self._vout(change, remainder))
            remainder = 0
        if remainder < 0:
            raise ValueError(f"inputs do not cover payments and fee (short by {-remainder} sat)")
        if locktime is None:
            locktime = (height - 1) if height is not None else 0  # anti-fee-sniping (Bitcoin Core)
        tx = {"version": version, "locktime": locktime, "vin": [self._vin(c, sequence) for c in inputs],
              "vout": vout, "fee": fee + remainder}
        return self._finish(tx, height)
