"""Build the trace graph (``networkx.MultiDiGraph``) from a :class:`TraceResult`.

Every input and output of every traced transaction becomes an edge, so co-spent inputs and
untraced outputs stay visible. Nodes and edges are inserted in sorted order.
"""

from __future__ import annotations

import networkx as nx

from btctrace.graph import schema as S
from btctrace.model import Tx
from btctrace.tags import TagIndex
from btctrace.tracing.result import Direction, StopReason, TraceResult
from btctrace.units import format_utc

__all__ = ["build_graph", "address_role", "node_for"]

_SERVICE_STOPS = {StopReason.TAGGED_SERVICE.value, StopReason.LARGE_ADDRESS.value}


def _tx_attributes(tx: Tx, hop: int, proof: str) -> dict:
    return {
        S.KIND: S.KIND_TX, "txid": tx.txid, "hop": hop, "block_height": tx.block_height,
        "block_time": tx.block_time, "time_utc": format_utc(tx.block_time),
        "confirmed": tx.status.confirmed, "fee": tx.fee, "input_value": tx.input_value,
        "output_value": tx.output_value, "n_inputs": len(tx.inputs), "n_outputs": len(tx.outputs),
        "version": tx.version, "locktime": tx.locktime, "size": tx.size, "weight": tx.weight,
        "coinbase": tx.is_coinbase, "proof": proof,
    }


def _edge_common(tx: Tx, hop: int, side: str, index: int, value: int) -> dict:
    return {
        "side": side, "txid": tx.txid, "index": index, "value": value, "hop": hop,
        "block_height": tx.block_height, "block_time": tx.block_time,
    }


def _add_tx_edges(graph: nx.MultiDiGraph, tx: Tx, hop: int, spenders: dict[int, str]) -> None:
    for txin in tx.inputs:
        node = node_for(tx, S.SIDE_INPUT, txin.index)
        attrs = _edge_common(tx, hop, S.SIDE_INPUT, txin.index, txin.value)
        graph.add_edge(node, tx.txid, key=S.edge_key(S.SIDE_INPUT, txin.index), spent_by=tx.txid, **attrs)
    for out in tx.outputs:
        node = node_for(tx, S.SIDE_OUTPUT, out.index)
        attrs = _edge_common(tx, hop, S.SIDE_OUTPUT, out.index, out.value)
        graph.add_edge(tx.txid, node, key=S.edge_key(S.SIDE_OUTPUT, out.index),
                       spent_by=spenders.get(out.index, ""), **attrs)


def address_role(node: str, result: TraceResult, payers: set[str], stops: set[str], received: bool,
                 sent: bool) -> str:
    """Role by precedence: seed, payer, service endpoint, holding, other endpoint,
    intermediary (it *received* from and *sent* into traced transactions), counterparty (see
    :mod:`btctrace.graph.schema`)."""
    if node in result.seed_addresses:
        return S.ROLE_SEED
    if node in payers:
        return S.ROLE_PAYER
    if stops & _SERVICE_STOPS:
        return S.ROLE_ENDPOINT
    if StopReason.UNSPENT.value in stops:
        return S.ROLE_HOLDING
    if stops:
        return S.ROLE_ENDPOINT
    return S.ROLE_INTERMEDIARY if received and sent else S.ROLE_COUNTERPARTY


def _payers(result: TraceResult) -> set[str]:
    """Payers into a seed (forward): inputs of hop-0 transactions that pay a seed address, and
    inputs of a seed transaction (or of the transaction that made a seed output)."""
    if result.direction is not Direction.FORWARD:
        return set()
    seed_txs = {seed.value for seed in result.seeds if seed.kind in ("tx", "outpoint")}
    payers = set()
    for traced in result.txs.values():
        tx = traced.tx
        if tx.txid in seed_txs or (traced.hop == 0 and any(o.address in result.seed_addresses for o in tx.outputs)):
            payers.update(i.address for i in tx.inputs if i.address and i.address not in result.seed_addresses)
    return payers


def node_for(tx: Tx, side: str, index: int) -> str:
    """The address node an input or output of *tx* is drawn at."""
    if side == S.SIDE_INPUT:
        txin = tx.inputs[index]
        kind = "coinbase" if txin.is_coinbase else txin.script_type
        return txin.address or S.pseudo_address(tx.txid, side, index, kind)
    out = tx.outputs[index]
    return out.address or S.pseudo_address(tx.txid, side, index, out.script_type)


def _stop_reasons_by_node(result: TraceResult) -> dict[str, set[str]]:
    reasons: dict[str, set[str]] = {}
    for stop in result.stops:
        if stop.side not in (S.SIDE_INPUT, S.SIDE_OUTPUT):
            continue
        node = node_for(result.txs[stop.txid].tx, stop.side, stop.index)
        reasons.setdefault(node, set()).add(stop.reason.value)
    return reasons


def _address_nodes(result: TraceResult) -> dict[str, dict]:
    """Address node -> its first attributes (kind, address, script type), as the inputs and then
    the outputs of the transactions, in txid order, first name it."""
    nodes: dict[str, dict] = {}
    for traced in sorted(result.txs.values(), key=lambda t: t.tx.txid):
        tx = traced.tx
        for side, ends in ((S.SIDE_INPUT, tx.inputs), (S.SIDE_OUTPUT, tx.outputs)):
            for end in ends:
                node = node_for(tx, side, end.index)
                if node not in nodes:
                    kind = "coinbase" if side == S.SIDE_INPUT and end.is_coinbase else end.script_type
                    nodes[node] = {S.KIND: S.KIND_ADDRESS, "address": end.address or "", "script_type": kind}
    return nodes


def build_graph(result: TraceResult, tags: TagIndex | None = None,
                cluster_ids: dict[str, str] | None = None) -> nx.MultiDiGraph:
    """The trace graph: nodes and edges in sorted order; roles, tags and cluster ids (address ->
    id, from :mod:`btctrace.analysis`) on address nodes. Nodes go in sorted by id and edges by
    (txid, side, index), so the graph is built once, in order (never copied to sort it)."""
    tags = tags or TagIndex()
    cluster_ids = cluster_ids or {}
    graph = nx.MultiDiGraph(direction=result.direction.value, api_url=result.api_url,
                            seeds=";".join(str(s) for s in result.seeds))
    by_txid = sorted(result.txs.values(), key=lambda t: t.tx.txid)
    nodes = _address_nodes(result)
    proofs = result.proofs.txs if result.proofs is not None else {}  # how each was proven (tracing.proving)
    nodes.update((t.tx.txid, _tx_attributes(t.tx, t.hop, proofs.get(t.tx.txid, ""))) for t in by_txid)
    graph.add_nodes_from(sorted(nodes.items(), key=lambda item: item[0]))
    del nodes
    for traced in by_txid:  # in txid order, inputs before outputs, by index: (txid, side, index) order
        spenders = {o.vout: o.txid for o in traced.outspends or () if o.spent and o.txid}
        _add_tx_edges(graph, traced.tx, traced.hop, spenders)
    payers = _payers(result)
    reasons = _stop_reasons_by_node(result)
    received = {target for _, target, side in graph.edges(data="side") if side == S.SIDE_OUTPUT}
    sent = {source for source, _, side in graph.edges(data="side") if side == S.SIDE_INPUT}
    for node, data in graph.nodes(data=True):
        if data[S.KIND] != S.KIND_ADDRESS:
            continue
        tag = tags.get(data["address"])
        stats = result.address_stats.get(node)
        node_reasons = reasons.get(node, set())
        data.update(
            role=address_role(node, result, payers, node_reasons, node in received, node in sent),
            cluster=cluster_ids.get(node, ""),
            label=tag.label if tag else "", category=tag.category if tag else "",
            tag_source=(tag.source or tag.tagpack) if tag else "", is_seed=node in result.seed_addresses,
            stop_reasons=";".join(sorted(node_reasons)), chain_tx_count=stats.tx_count if stats else None,
            case_role="", case_role_source="",
        )
    return graph
