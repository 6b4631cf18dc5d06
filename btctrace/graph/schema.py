"""Node and edge attribute names: the one source of truth for the graph, heuristics and exports.

The graph is a ``networkx.MultiDiGraph`` with two node kinds. Address nodes are keyed by the
address string (or a pseudo-id for outputs without an address); transaction nodes by txid.
Edges run address -> tx for an input (key ``in:<vin>``) and tx -> address for an output
(key ``out:<vout>``). Amounts are int satoshis.
"""

from __future__ import annotations

__all__ = [
    "KIND",
    "KIND_TX",
    "KIND_ADDRESS",
    "SIDE_INPUT",
    "SIDE_OUTPUT",
    "ROLES",
    "ROLE_SEED",
    "ROLE_PAYER",
    "ROLE_WORDS",
    "ROLE_INTERMEDIARY",
    "ROLE_ENDPOINT",
    "ROLE_HOLDING",
    "ROLE_COUNTERPARTY",
    "TX_ATTRS",
    "ADDRESS_ATTRS",
    "EDGE_ATTRS",
    "edge_key",
    "pseudo_address",
]

KIND = "kind"
KIND_TX = "tx"
KIND_ADDRESS = "address"
SIDE_INPUT = "input"
SIDE_OUTPUT = "output"

# Roles say only what the chain shows of an address in this trace, never who holds it: a payer
# into a seed is not presumed a victim, nor the seed an extortionist. Roles a chain cannot show
# ("victim", who owns the seed) come from the case file (graph.case_roles), with their source.
ROLE_SEED = "seed"  # an address the trace started from
ROLE_PAYER = "payer"  # paid into a seed address (forward trace from an address)
ROLE_INTERMEDIARY = "intermediary"  # received traced coins and passed them on
ROLE_ENDPOINT = "endpoint"  # the walk stopped here (service, large address, a limit)
ROLE_HOLDING = "holding"  # traced coins still unspent here: a seizure candidate
ROLE_COUNTERPARTY = "counterparty"  # touched by a traced tx but not on the traced path
ROLES = (ROLE_SEED, ROLE_PAYER, ROLE_INTERMEDIARY, ROLE_ENDPOINT, ROLE_HOLDING, ROLE_COUNTERPARTY)
ROLE_WORDS = {  # each role in the words an exhibit uses
    ROLE_SEED: "a seed, where the trace started",
    ROLE_PAYER: "paid the seed",
    ROLE_INTERMEDIARY: "received from the trace and passed it on",
    ROLE_ENDPOINT: "the trace stopped here",
    ROLE_HOLDING: "still holding traced coins",
    ROLE_COUNTERPARTY: "touched by a traced transaction, not followed",
}

# Transaction node attributes.
TX_ATTRS = (
    "txid", "hop", "block_height", "block_time", "time_utc", "confirmed", "fee",
    "input_value", "output_value", "n_inputs", "n_outputs", "version", "locktime",
    "size", "weight", "coinbase",
    "proof",  # how its place in the chain was proven: a key of tracing.proving.HOW_PROVEN ("" when not asked)
)
# Address node attributes.
ADDRESS_ATTRS = (
    "address", "script_type", "role", "cluster", "label", "category", "tag_source", "is_seed",
    "stop_reasons", "chain_tx_count",
    "case_role", "case_role_source",  # a role only the case file can give ("victim"), and where it says so
)
# Edge attributes (both directions).
EDGE_ATTRS = (
    "side", "txid", "index", "value", "hop", "block_height", "block_time", "spent_by",
)


def edge_key(side: str, index: int) -> str:
    return f"{'in' if side == SIDE_INPUT else 'out'}:{index}"


def pseudo_address(txid: str, side: str, index: int, script_type: str) -> str:
    """Node id for a script without an address (OP_RETURN, P2PK, bare multisig, coinbase)."""
    return f"{script_type}:{txid}:{'in' if side == SIDE_INPUT else 'out'}{index}"
