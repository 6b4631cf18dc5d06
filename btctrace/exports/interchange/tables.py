"""``transfers.csv`` and ``addresses.csv``: fixed columns, sorted rows, satoshis as integers
and BTC as exact 8-decimal strings (bitcoin-etl style field lists)."""

from __future__ import annotations

import networkx as nx
import pandas as pd

from btctrace.exports.writing.atomic import write_atomically
from btctrace.exports.writing.safe_text import spreadsheet_frame
from btctrace.graph import schema as S
from btctrace.graph.flows import node_flows
from btctrace.units import format_btc, format_utc

__all__ = ["TRANSFER_COLUMNS", "ADDRESS_COLUMNS", "transfers_frame", "addresses_frame", "write_csv"]

TRANSFER_COLUMNS = [
    "txid", "direction", "index", "address", "value_sats", "value_btc", "time_utc", "block_height",
    "hop", "label", "category", "role", "spent_by_txid", "proof",
]
ADDRESS_COLUMNS = [
    "address", "role", "cluster_id", "label", "category", "script_type", "received_sats", "sent_sats", "balance_sats",
    "received_btc", "sent_btc", "balance_btc", "first_seen_utc", "last_seen_utc", "transfers",
    "chain_tx_count", "stop_reasons", "tag_source", "case_role", "case_role_source",
]


def transfers_frame(graph: nx.MultiDiGraph) -> pd.DataFrame:
    """One row per input (address -> tx) and output (tx -> address) of every traced tx."""
    rows = []
    for source, target, data in graph.edges(data=True):
        node = source if data["side"] == S.SIDE_INPUT else target
        attrs = graph.nodes[node]
        rows.append({
            "txid": data["txid"], "direction": data["side"], "index": data["index"], "address": node,
            "value_sats": data["value"], "value_btc": format_btc(data["value"]),
            "time_utc": format_utc(data["block_time"]), "block_height": data["block_height"], "hop": data["hop"],
            "label": attrs.get("label", ""), "category": attrs.get("category", ""), "role": attrs.get("role", ""),
            "spent_by_txid": data["spent_by"] if data["side"] == S.SIDE_OUTPUT else "",
            "proof": graph.nodes[data["txid"]].get("proof", ""),
        })
    frame = pd.DataFrame(rows, columns=TRANSFER_COLUMNS)
    frame["block_height"] = frame["block_height"].astype("Int64")
    return frame.sort_values(["hop", "txid", "direction", "index"], kind="stable").reset_index(drop=True)


def _address_row(graph: nx.MultiDiGraph, node: str, data: dict) -> dict:
    flows = node_flows(graph)[node]
    received_sats, sent_sats = flows.received, flows.sent
    return {
        "address": node, "role": data["role"], "cluster_id": data["cluster"], "label": data["label"], "category": data["category"],
        "script_type": data["script_type"], "received_sats": received_sats, "sent_sats": sent_sats,
        "balance_sats": received_sats - sent_sats, "received_btc": format_btc(received_sats),
        "sent_btc": format_btc(sent_sats), "balance_btc": format_btc(received_sats - sent_sats),
        "first_seen_utc": format_utc(flows.first_time), "last_seen_utc": format_utc(flows.last_time),
        "transfers": len(flows.hops), "chain_tx_count": data["chain_tx_count"],
        "stop_reasons": data["stop_reasons"], "tag_source": data["tag_source"],
        "case_role": data.get("case_role", ""), "case_role_source": data.get("case_role_source", ""),
    }


def addresses_frame(graph: nx.MultiDiGraph) -> pd.DataFrame:
    """Per address: totals within the traced graph, first/last seen, role, label."""
    rows = [_address_row(graph, node, data) for node, data in graph.nodes(data=True) if data[S.KIND] == S.KIND_ADDRESS]
    frame = pd.DataFrame(rows, columns=ADDRESS_COLUMNS)
    frame["chain_tx_count"] = frame["chain_tx_count"].astype("Int64")
    order = {role: i for i, role in enumerate(S.ROLES)}
    frame["_order"] = frame["role"].map(order)
    frame = frame.sort_values(["_order", "address"], kind="stable").drop(columns="_order")
    return frame.reset_index(drop=True)


def write_csv(frame: pd.DataFrame, path) -> None:
    """The one CSV writer: text cells a spreadsheet would evaluate are neutralised
    (:func:`~btctrace.exports.writing.safe_text.spreadsheet_frame`), the file written atomically."""
    safe = spreadsheet_frame(frame)
    write_atomically(path, lambda temporary: safe.to_csv(temporary, index=False, lineterminator="\n", encoding="utf-8"))
