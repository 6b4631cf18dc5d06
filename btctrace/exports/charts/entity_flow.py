"""The entity-level flow: who paid whom, in the boxes an investigator names in a report.

Built from the cluster flows the analysis already computes (:func:`cluster_flow_graph`): each
cluster (or multi-owner transaction) becomes one entity by what its addresses are in the trace:

- ``victim``: a cluster that paid the ransom address(es);
- ``extortionist``: the cluster of a ransom address (common-input clustering joins the rest);
- ``wallet``: an intermediary cluster of two or more addresses (an identified wallet);
- ``intermediaries``: single intermediary addresses, folded into one box;
- ``coinjoin`` / ``mixed``: a transaction funded by several clusters (a CoinJoin when detected);
- ``service``: addresses tagged as an exchange or other service, one box per tag label;
- ``unidentified_service``: a large address that stopped the trace (likely a service);
- ``holding``: traced coins still unspent (seizure candidates);
- ``limit``: where a trace limit stopped the walk; ``other``: recipients not followed.

Flows between two entities are summed (transfers, satoshis, first and last UTC time, txids);
flows inside one entity (change, hops within one wallet) are counted apart. A column with more
than *max_per_column* entities keeps the largest and folds the rest into "N others", sums kept.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import networkx as nx
import pandas as pd

from btctrace.exports.charts.flow_display import SERVICE_CATEGORIES
from btctrace.exports.charts.styles import short_id
from btctrace.graph import schema as S
from btctrace.graph.cluster_flows import cluster_flow_graph
from btctrace.units import format_btc, format_utc

__all__ = ["ENTITY_KINDS", "ENTITY_FLOW_COLUMNS", "Entity", "EntityFlow", "EntityChart", "entity_chart",
           "entity_flows_frame", "entity_weights"]

# kind -> (column, title shown in the box, fill colour)
ENTITY_KINDS = {
    "victim": (0, "Victim", "#c6dbef"),
    "extortionist": (1, "Extortionist", "#f7b6d2"),
    "wallet": (2, "Wallet (cluster)", "#fdd0a2"),
    "intermediaries": (2, "Intermediaries", "#fdd0a2"),
    "coinjoin": (2, "CoinJoin", "#bdbdbd"),
    "mixed": (2, "Multi-owner tx", "#d9d9d9"),
    "service": (3, "Exchange/service", "#dadaeb"),
    "unidentified_service": (3, "Likely service", "#efedf5"),
    "holding": (3, "Unspent (held)", "#c7e9c0"),
    "limit": (3, "Trace limit", "#fee0d2"),
    "other": (3, "Not followed", "#f0f0f0"),
    "folded": (3, "Others, folded", "#ffffff"),  # several kinds folded together (their column is kept)
}
_GROUPED = {"intermediaries", "limit", "other"}  # one box for all of their kind


@dataclass
class Entity:
    id: str
    kind: str
    name: str  # the tag label, cluster id or short address: what the box says
    addresses: set[str] = field(default_factory=set)
    clusters: set[str] = field(default_factory=set)
    txids: set[str] = field(default_factory=set)  # for coinjoin / mixed boxes
    folded: int = 0  # entities folded into this one ("N others")
    folded_column: int | None = None  # a fold of several kinds keeps the column it stands for

    @property
    def column(self) -> int:
        return ENTITY_KINDS[self.kind][0] if self.folded_column is None else self.folded_column

    @property
    def short_name(self) -> str:
        """The name, an address shortened (whole in entity_flows.csv)."""
        return self.name if " " in self.name else short_id(self.name, 8, 6, keep=16)

    def detail(self) -> str:
        parts = []
        if self.addresses:
            parts.append(f"{len(self.addresses)} address{'es' if len(self.addresses) != 1 else ''}")
        if len(self.clusters) == 1 and self.kind in {"victim", "extortionist", "service"}:
            parts.append(f"cluster {next(iter(self.clusters))}")
        elif len(self.clusters) > 1 and len(self.clusters) != len(self.addresses):
            parts.append(f"{len(self.clusters)} clusters")
        if self.txids and self.folded:
            parts.append(f"{len(self.txids)} txs")
        return ", ".join(parts)


@dataclass
class EntityFlow:
    source: str
    target: str
    sats: int = 0
    transfers: int = 0
    first: int | None = None
    last: int | None = None
    txids: set[str] = field(default_factory=set)


@dataclass
class EntityChart:
    entities: dict[str, Entity]
    flows: dict[tuple[str, str], EntityFlow]
    internal_sats: int = 0  # moved within one box (not drawn)
    notes: list[str] = field(default_factory=list)


def _cluster_kind(members: list[tuple[str, dict]]) -> tuple[str, str]:
    """(kind, name) of a cluster from its addresses' roles, tags and stop reasons."""
    roles = {d.get("role") for _, d in members}
    tags = sorted({d.get("label") for _, d in members if d.get("label")})
    first = min(n for n, _ in members)
    if S.ROLE_SEED in roles:
        return "extortionist", tags[0] if tags else f"ransom address {first}"
    if S.ROLE_VICTIM in roles:
        return "victim", tags[0] if tags else first
    services = sorted({d["label"] for _, d in members if d.get("label") and d.get("category") in SERVICE_CATEGORIES})
    if services:
        return "service", services[0]
    if any("large_address" in d.get("stop_reasons", "") for _, d in members):
        return "unidentified_service", first
    if S.ROLE_HOLDING in roles:
        return "holding", tags[0] if tags else first
    reasons = {r for _, d in members for r in (d.get("stop_reasons") or "").split(";") if r}
    if S.ROLE_ENDPOINT in roles and reasons - {"coinjoin"}:
        return "limit", "trace limits"
    if S.ROLE_ENDPOINT in roles:  # it paid into a CoinJoin: the money goes on into the CoinJoin's box
        return "intermediaries", "untagged addresses"
    if S.ROLE_INTERMEDIARY in roles:
        return ("wallet", tags[0] if tags else f"cluster {members[0][1].get('cluster')}") if len(members) > 1 \
            else ("intermediaries", "untagged addresses")
    return "other", "recipients"


def _entities_of(graph: nx.MultiDiGraph, flows: nx.DiGraph, coinjoins: dict) -> tuple[dict[str, Entity], dict[str, str]]:
    """Entities, and cluster-flow node -> entity id."""
    members: dict[str, list[tuple[str, dict]]] = {}
    for node, data in graph.nodes(data=True):
        if data[S.KIND] == S.KIND_ADDRESS:
            members.setdefault(data.get("cluster") or node, []).append((node, data))
    entities: dict[str, Entity] = {}
    owner: dict[str, str] = {}
    for node in sorted(flows.nodes):
        if node.startswith("tx:"):
            txid = node[3:]
            finding = coinjoins.get(txid)
            kind, name = ("coinjoin", f"{finding.heuristic.split('.')[-1]} tx {txid[:10]}…") if finding else \
                ("mixed", f"tx {txid[:10]}…")
            entity = entities.setdefault(node, Entity(node, kind, name))
            entity.txids.add(txid)
        else:
            kind, name = _cluster_kind(members.get(node, [(node, {})]))
            key = kind if kind in _GROUPED else f"{kind}:{name}" if kind == "service" else f"{kind}:{node}"
            entity = entities.setdefault(key, Entity(key, kind, name))
            entity.addresses.update(n for n, d in members.get(node, []) if d.get("address"))
            entity.clusters.add(node)
        owner[node] = entity.id
    return entities, owner


def _add(flows: dict[tuple[str, str], EntityFlow], source: str, target: str, data: dict) -> None:
    flow = flows.setdefault((source, target), EntityFlow(source, target))
    flow.sats += data["sats"]
    flow.transfers += data["transfers"]
    flow.txids.update(data["txids"])
    times = [t for t in (flow.first, flow.last, data["first"], data["last"]) if t is not None]
    flow.first, flow.last = (min(times), max(times)) if times else (None, None)


def entity_weights(chart: EntityChart) -> Counter:
    """Entity id -> satoshis on its arrows (in and out): how the folds and the layout rank boxes."""
    weight: Counter = Counter()
    for flow in chart.flows.values():
        weight[flow.source] += flow.sats
        weight[flow.target] += flow.sats
    return weight


def _fold(chart: EntityChart, max_per_column: int) -> EntityChart:
    """Keep the *max_per_column* - 1 heaviest entities of a crowded column; fold the rest."""
    weight = entity_weights(chart)
    columns: dict[int, list[Entity]] = {}
    for entity in chart.entities.values():
        columns.setdefault(entity.column, []).append(entity)
    merged: dict[str, str] = {}
    folds: list[str] = []
    entities = dict(chart.entities)
    for column, members in sorted(columns.items()):
        if len(members) <= max_per_column:
            continue
        members.sort(key=lambda e: (-weight[e.id], e.id))
        rest = members[max_per_column - 1:]
        kinds = Counter(e.kind for e in rest)
        kind = rest[0].kind if len(kinds) == 1 else "folded"
        mix = ", ".join(f"{n} {ENTITY_KINDS[k][1].lower()}" for k, n in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])))
        fold = Entity(f"others:{column}", kind, f"{len(rest)} others" if len(kinds) == 1 else f"{len(rest)}: {mix}",
                      folded=len(rest), folded_column=column)
        for entity in rest:
            fold.addresses |= entity.addresses
            fold.clusters |= entity.clusters
            fold.txids |= entity.txids
            merged[entity.id] = fold.id
            del entities[entity.id]
        entities[fold.id] = fold
        folds.append(f"{len(rest)} in column {column + 1}")
    if not merged:
        return chart
    chart.notes.append(f"Folded into one box per column, sums kept: {', '.join(folds)} (entity_flows.csv).")
    flows: dict[tuple[str, str], EntityFlow] = {}
    for flow in chart.flows.values():
        source, target = merged.get(flow.source, flow.source), merged.get(flow.target, flow.target)
        if source == target:
            chart.internal_sats += flow.sats
            continue
        _add(flows, source, target, {"sats": flow.sats, "transfers": flow.transfers, "txids": flow.txids,
                                     "first": flow.first, "last": flow.last})
    return EntityChart(entities, flows, chart.internal_sats, chart.notes)


def _add_mixed_inputs(graph: nx.MultiDiGraph, chart: EntityChart, owner: dict[str, str]) -> None:
    """The money paid into a multi-owner transaction (a CoinJoin), per funding entity: the
    cluster flows start at such a transaction, so what went in is added here from its inputs."""
    for node in sorted(n for n in owner if n.startswith("tx:")):
        txid = node[3:]
        for source, _, data in sorted(graph.in_edges(txid, data=True), key=lambda e: e[2]["index"]):
            funder = owner.get(graph.nodes[source].get("cluster") or source)
            if funder is None or funder == owner[node]:
                continue
            _add(chart.flows, funder, owner[node], {"sats": data["value"], "transfers": 1, "txids": {txid},
                                                    "first": data["block_time"], "last": data["block_time"]})


def entity_chart(graph: nx.MultiDiGraph, coinjoins: dict | None = None, max_per_column: int = 7) -> EntityChart:
    """The entity-level flow of a trace graph (see the module docstring)."""
    cluster_flows = cluster_flow_graph(graph)
    entities, owner = _entities_of(graph, cluster_flows, coinjoins or {})
    chart = EntityChart(entities, {}, cluster_flows.graph["internal_sats"])
    for a, b, data in sorted(cluster_flows.edges(data=True), key=lambda e: (e[0], e[1])):
        source, target = owner[a], owner[b]
        if source == target:
            chart.internal_sats += data["value"]
            continue
        _add(chart.flows, source, target, {"sats": data["value"], "transfers": data["transfers"],
                                           "txids": data["txids"], "first": data["first"], "last": data["last"]})
    _add_mixed_inputs(graph, chart, owner)
    used = {e for pair in chart.flows for e in pair}
    chart.entities = {k: v for k, v in chart.entities.items() if k in used}
    if chart.internal_sats:
        chart.notes.append(f"{format_btc(chart.internal_sats)} BTC moved within one box (change, hops inside one "
                           "wallet); not drawn.")
    return _fold(chart, max_per_column)


ENTITY_FLOW_COLUMNS = ["from_entity", "from_kind", "to_entity", "to_kind", "transfers", "value_sats", "value_btc",
                       "first_utc", "last_utc", "txids"]


def entity_flows_frame(chart: EntityChart) -> pd.DataFrame:
    """Every arrow of the entity chart, heaviest first: what the chart's labels and footnotes sum."""
    rows = []
    for flow in sorted(chart.flows.values(), key=lambda f: (-f.sats, f.source, f.target)):
        source, target = chart.entities[flow.source], chart.entities[flow.target]
        rows.append({"from_entity": f"{source.name} [{source.id}]", "from_kind": source.kind,
                     "to_entity": f"{target.name} [{target.id}]", "to_kind": target.kind,
                     "transfers": flow.transfers, "value_sats": flow.sats, "value_btc": format_btc(flow.sats),
                     "first_utc": format_utc(flow.first), "last_utc": format_utc(flow.last),
                     "txids": ";".join(sorted(flow.txids))})
    return pd.DataFrame(rows, columns=ENTITY_FLOW_COLUMNS)
