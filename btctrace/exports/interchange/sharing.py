"""Sharing with CTI and attribution tools: a MISP event and a GraphSense TagPack.

MISP objects follow the ``MISP/misp-objects`` definitions PyMISP bundles: ``btc-wallet`` (v3)
for seeds, services, holdings and other endpoints; ``coin-address`` (v7) for the other
addresses; ``btc-transaction`` (v4) for each traced transaction, with the txid in its
correlatable ``transaction-number`` attribute. Objects are linked by references as the money
moved: address ``sends-to`` transaction (an input), transaction ``sends-to`` address (an output,
the payment), transaction ``sends-to`` transaction (an output spent by the next traced one).
UUIDs are derived from the case and the object (uuid5), so reruns give the same file. The TagPack (``tagpack_schema.yaml``) carries the attributions this case made: the seed
addresses and the addresses common-input clustering joined to them, each with its evidence.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any, Iterator

import networkx as nx
import yaml

from btctrace import jsontext
from btctrace.analysis import Analysis
from btctrace.case import CaseInfo
from btctrace.exports.writing.safe_text import summarise
from btctrace.graph import schema as S
from btctrace.graph.flows import node_flows
from btctrace.tracing.result import TraceResult
from btctrace.units import format_btc, format_utc
from btctrace.version import __version__

__all__ = ["MISP_TEMPLATES", "misp_event", "misp_event_pieces", "tagpack"]

# name -> (template uuid, version), from MISP/misp-objects objects/<name>/definition.json
MISP_TEMPLATES = {
    "btc-wallet": ("22910C83-DD0E-4ED2-9823-45F8CAD562A4", 3),
    "btc-transaction": ("B7341729-5A8A-439F-A775-6D814DA3C7B5", 4),
    "coin-address": ("d0e6997e-78da-4815-a6a1-cfc1c1cb8a46", 7),
}
_WALLET_ROLES = {S.ROLE_SEED, S.ROLE_ENDPOINT, S.ROLE_HOLDING}
MISP_RELATIONSHIP = "sends-to"  # from MISP's relationships list


def _namespace(result: TraceResult, case: CaseInfo) -> str:
    return _uuid5(uuid.NAMESPACE_URL.hex, f"btctrace:{case.id}:{';'.join(str(s) for s in result.seeds)}")


def _uuid5(namespace: str, name: str) -> str:
    """``str(uuid.uuid5(UUID(namespace), name))`` (RFC 4122 §4.3: SHA-1 of namespace and name,
    version 5, variant bits set), without building two UUID objects per call: a 10,000-
    transaction event makes ~300,000 of them."""
    digest = bytearray(hashlib.sha1(bytes.fromhex(namespace.replace("-", "")) + name.encode("utf-8")).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    text = digest.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


_CORRELATED = {"btc", "text"}  # addresses and txids correlate across events; amounts and times do not


def _attribute(namespace: str, relation: str, kind: str, value: str) -> dict[str, Any]:
    return {"uuid": _uuid5(namespace, f"{relation}:{value}"), "object_relation": relation, "type": kind,
            "value": value, "to_ids": False, "disable_correlation": kind not in _CORRELATED or relation == "symbol"}


def _object_uuid(namespace: str, name: str, key: str) -> str:
    return _uuid5(namespace, f"{name}:{key}")


def _object(namespace: str, name: str, key: str, comment: str, attributes: list[dict]) -> dict[str, Any]:
    template, version = MISP_TEMPLATES[name]
    ns = _object_uuid(namespace, name, key)
    return {"uuid": ns, "name": name, "meta-category": "financial", "template_uuid": template,
            "template_version": str(version), "distribution": "5", "comment": comment,
            "Attribute": [_attribute(ns, *a) for a in attributes]}


def _object_name(data: dict) -> str | None:
    """The MISP object a node becomes; None for an output without an address (OP_RETURN, P2PK)."""
    if data[S.KIND] == S.KIND_TX:
        return "btc-transaction"
    if not data["address"]:
        return None
    return "btc-wallet" if data["role"] in _WALLET_ROLES else "coin-address"


def _address_object(namespace: str, graph: nx.MultiDiGraph, node: str, data: dict) -> dict[str, Any]:
    flows = node_flows(graph)[node]
    received, sent = flows.received, flows.sent
    comment = "; ".join(x for x in (f"role {data['role']}", data.get("label", ""), f"cluster {data.get('cluster', '')}",
                                     data.get("stop_reasons", "")) if x and not x.endswith(" "))
    if data["role"] in _WALLET_ROLES:
        return _object(namespace, "btc-wallet", node, comment, [
            ("wallet-address", "btc", node), ("BTC_received", "float", format_btc(received)),
            ("BTC_sent", "float", format_btc(sent)), ("balance_BTC", "float", format_btc(received - sent))])
    attributes = [("address", "btc", node), ("symbol", "text", "BTC"), ("total-received", "float", format_btc(received)),
                  ("total-sent", "float", format_btc(sent))]
    if flows.first_time is not None:
        attributes += [("first-seen", "datetime", format_utc(flows.first_time)),
                       ("last-seen", "datetime", format_utc(flows.last_time))]
    return _object(namespace, "coin-address", node, comment, attributes)


def _transaction_object(namespace: str, node: str, data: dict) -> dict[str, Any]:
    attributes = [("transaction-number", "text", node), ("value_BTC", "float", format_btc(data["output_value"]))]
    if data["block_time"] is not None:
        attributes.insert(1, ("time", "datetime", format_utc(data["block_time"])))
    comment = f"block {data['block_height']}; hop {data['hop']}; fee {data['fee']} sat"
    return _object(namespace, "btc-transaction", node, comment, attributes)


def _references(graph: nx.MultiDiGraph, namespace: str, origin: dict[str, Any], node: str) -> None:
    """Add to *origin* (the object of *node*) an ObjectReference per transfer out of *node* to
    another object of the event (see the module docstring); uuid5 of the pair and the transfer,
    so reruns give the same file."""
    def target_uuid(target: str) -> str | None:
        name = _object_name(graph.nodes[target])
        return None if name is None else _object_uuid(namespace, name, target)

    for _, target, data in graph.out_edges(node, data=True):
        target_object = target_uuid(target)
        if target_object is None:
            continue  # an output without an address (OP_RETURN, P2PK) has no object
        side = "input" if data["side"] == S.SIDE_INPUT else "output"
        _reference(origin, target_object, f"{side} {data['index']} of {data['txid']}: {format_btc(data['value'])} BTC")
        spender = data.get("spent_by") if data["side"] == S.SIDE_OUTPUT else None
        spender_object = target_uuid(spender) if spender and spender in graph and spender != node else None
        if spender_object is not None:
            _reference(origin, spender_object, f"output {data['index']} spent by {spender}")


def _reference(origin: dict[str, Any], target_uuid: str, comment: str) -> None:
    references = origin.setdefault("ObjectReference", [])
    references.append({"uuid": _uuid5(origin["uuid"], f"{target_uuid}:{comment}"),
                       "object_uuid": origin["uuid"], "referenced_uuid": target_uuid,
                       "relationship_type": MISP_RELATIONSHIP, "comment": comment})


def _objects(graph: nx.MultiDiGraph, namespace: str) -> Iterator[dict[str, Any]]:
    """The event's objects, one at a time: the addresses, then the transactions, each in the
    graph's node order, with its references."""
    for kind in (S.KIND_ADDRESS, S.KIND_TX):
        for node, data in graph.nodes(data=True):
            if data[S.KIND] != kind or _object_name(data) is None:
                continue
            origin = _transaction_object(namespace, node, data) if kind == S.KIND_TX \
                else _address_object(namespace, graph, node, data)
            _references(graph, namespace, origin, node)
            yield origin


def misp_event_pieces(result: TraceResult, graph: nx.MultiDiGraph, case: CaseInfo) -> Iterator[str]:
    """A MISP event (JSON, as MISP exports and imports it), as pieces of text: the objects are
    made and encoded one at a time (a :class:`~btctrace.jsontext.Streamed` array; the largest
    cases would otherwise hold them all, twice)."""
    namespace = _namespace(result, case)
    times = [d["block_time"] for _, d in graph.nodes(data=True) if d[S.KIND] == S.KIND_TX and d["block_time"]]
    synthetic = " [SYNTHETIC DATA]" if case.synthetic else ""
    count = sum(1 for _, data in graph.nodes(data=True) if _object_name(data) is not None)
    event = {"Event": {
        "uuid": namespace, "info": f"btctrace {case.title or case.id or 'trace'}{synthetic}: "
                                        f"{result.direction.value} trace from {summarise(result.seeds, 'seeds')}",
        "date": format_utc(max(times))[:10] if times else "", "threat_level_id": "2", "analysis": "1",
        "distribution": "0", "published": False, "Tag": [{"name": "tlp:amber"}],
        "Attribute": [], "Object": jsontext.Streamed(lambda: _objects(graph, namespace), count),
    }}
    yield from jsontext.indented_pieces(event, sort_keys=True)
    yield "\n"


def misp_event(result: TraceResult, graph: nx.MultiDiGraph, case: CaseInfo) -> str:
    """The MISP event as one text (:func:`misp_event_pieces` joined)."""
    return "".join(misp_event_pieces(result, graph, case))


def tagpack(result: TraceResult, analysis: Analysis, case: CaseInfo) -> str:
    """A GraphSense TagPack of the attributions this case made (seeds and their clusters)."""
    title = case.title or case.id or "btctrace trace"
    source = f"btctrace {__version__} case {case.id or 'trace'}"
    groups = {a: g for g in analysis.clusters.groups() for a in g}
    tags, seen = [], set()
    for seed in sorted(result.seed_addresses):
        for address in groups.get(seed, [seed]):
            if address in seen:
                continue
            seen.add(address)
            context = ("seed of the trace" if address == seed
                       else f"same owner as {seed} by common-input clustering (see trace.json clustering.merges)")
            tags.append({"address": address, "label": f"{title}: {'seed address' if address == seed else 'same owner as a seed'}",
                         "context": context})
    times = [t.tx.block_time for t in result.txs.values() if t.tx.block_time]
    document = {
        "title": f"{title} (btctrace attributions){' [SYNTHETIC]' if case.synthetic else ''}",
        "creator": "btctrace", "description": "The case's seed addresses and the addresses common-input clustering joins to them, with "
                                                "the evidence; who holds them is the case's finding, not this file's.",
        "is_public": False, "currency": "BTC", "network": "BTC", "source": source, "confidence": "forensic",
        **({"abuse": case.kind} if case.kind else {}), "lastmod": format_utc(max(times))[:10] if times else "", "tags": tags,
    }
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=120)
