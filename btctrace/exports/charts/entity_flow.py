"""The entity-level flow: who paid whom, in the boxes an investigator names in a report.

Built from the cluster flows the analysis already computes (:func:`cluster_flow_graph`): each
cluster (or multi-owner transaction) becomes one entity by what its addresses are in the trace:

- ``payer``: a cluster that paid the seed address(es) (what the chain shows; not presumed a victim);
- ``victim``: a payer the case file names as a victim (``[case] victims``);
- ``seed``: the cluster of a seed address (common-input clustering joins the rest); who holds it
  is said only where a tag or the case file (``[case] seed_owner``) says so;
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
from btctrace.graph.case_roles import CASE_ROLE_VICTIM
from btctrace.graph.cluster_flows import cluster_flow_graph
from btctrace.units import format_btc, format_utc

__all__ = ["ENTITY_KINDS", "ENTITY_FLOW_COLUMNS", "Entity", "EntityFlow", "EntityChart", "entity_chart",
           "entity_flows_frame", "entity_weights", "fold_entities", "internal_note"]

# kind -> (column, title shown in the box, fill colour)
ENTITY_KINDS = {
    "payer": (0, "Paid the seed", "#c6dbef"),
    "victim": (0, "Victim (case file)", "#c6dbef"),
    "seed": (1, "Seed (trace start)", "#f7b6d2"),
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
_FOLDED = "Folded, sums kept:"
_KEPT_KINDS = {"seed", "coinjoin", "service"}  # kept before others of their column when boxes are folded


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
    case_role: str = ""  # what the case file says of it ("victim", who holds the seed), else ""
    sanctioned: bool = False  # an address of it is on an imported sanctions list
    tagged: bool = False  # an address of it carries a tag (never folded away)

    @property
    def column(self) -> int:
        return ENTITY_KINDS[self.kind][0] if self.folded_column is None else self.folded_column

    @property
    def short_name(self) -> str:
        """The name, an address shortened (whole in entity_flows.csv); a box of its kind's
        addresses holding one address is named by it."""
        if self.kind in _GROUPED and len(self.addresses) == 1:
            return short_id(next(iter(self.addresses)), 8, 6, keep=16)
        return self.name if " " in self.name else short_id(self.name, 8, 6, keep=16)

    def detail(self) -> str:
        parts = []
        if self.addresses:
            parts.append(f"{len(self.addresses)} address{'es' if len(self.addresses) != 1 else ''}")
        if len(self.clusters) == 1 and self.kind in {"payer", "victim", "seed", "service"}:
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
    internal_by: dict[str, int] = field(default_factory=dict)  # ... per box (entity id)
    notes: list[str] = field(default_factory=list)


def _cluster_kind(members: list[tuple[str, dict]]) -> tuple[str, str]:
    """(kind, name) of a cluster from its addresses' roles, tags and stop reasons."""
    roles = {d.get("role") for _, d in members}
    tags = sorted({d.get("label") for _, d in members if d.get("label") and d.get("category") != "sanction"})
    first = min(n for n, _ in members)
    if S.ROLE_SEED in roles:
        return "seed", tags[0] if tags else first
    if S.ROLE_PAYER in roles:
        victim = any(d.get("case_role") == CASE_ROLE_VICTIM for _, d in members)
        return ("victim" if victim else "payer"), tags[0] if tags else first
    services = sorted({d["label"] for _, d in members if d.get("label") and d.get("category") in SERVICE_CATEGORIES})
    if services:
        return "service", services[0]
    if any("large_address" in d.get("stop_reasons", "") for _, d in members):
        return "unidentified_service", first
    if S.ROLE_HOLDING in roles:
        return "holding", tags[0] if tags else first
    reasons = {r for _, d in members for r in (d.get("stop_reasons") or "").split(";") if r}
    if S.ROLE_ENDPOINT in roles and reasons - {"coinjoin"}:
        return "limit", "where the trace stopped"
    if S.ROLE_ENDPOINT in roles:  # it paid into a CoinJoin: the money goes on into the CoinJoin's box
        return "intermediaries", "untagged addresses"
    if S.ROLE_INTERMEDIARY in roles:
        return ("wallet", tags[0] if tags else f"cluster {members[0][1].get('cluster')}") if len(members) > 1 \
            else ("intermediaries", "untagged addresses")
    return "other", "other addresses"


def _case_role(members: list[tuple[str, dict]]) -> str:
    """What the case file says of a cluster's addresses, other than "victim" (its kind says that)."""
    return next((d["case_role"] for _, d in members if d.get("case_role") not in (None, "", CASE_ROLE_VICTIM)), "")


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
            entity.case_role = entity.case_role or _case_role(members.get(node, []))
            entity.tagged = entity.tagged or any(d.get("label") for _, d in members.get(node, []))
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


def fold_entities(chart: EntityChart, max_per_column: int) -> EntityChart:
    """Keep the *max_per_column* - 1 heaviest entities of a crowded column (a sanctioned one
    always) and fold the rest into one box, sums kept; a new chart (*chart* is not changed)."""
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
        # a sanctioned or tagged box is never folded (while there is room: sanctioned first)
        # ... and a box of earlier folds is folded again, into the one new fold
        members.sort(key=lambda e: (not e.sanctioned, not e.tagged, e.kind not in _KEPT_KINDS, e.folded > 0,
                                    -weight[e.id], e.id))
        rest = members[max_per_column - 1:]
        kinds = Counter(e.kind for e in rest)
        kind = rest[0].kind if len(kinds) == 1 else "folded"
        mix = ", ".join(f"{n} {ENTITY_KINDS[k][1].lower()}" for k, n in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])))
        count = sum(max(e.folded, 1) for e in rest)
        fold = Entity(f"others:{column}", kind, f"{count} others" if len(kinds) == 1 else f"{count}: {mix}",
                      folded=count, folded_column=column)
        for entity in rest:
            fold.addresses |= entity.addresses
            fold.clusters |= entity.clusters
            fold.txids |= entity.txids
            merged[entity.id] = fold.id
            del entities[entity.id]
        entities[fold.id] = fold
        folds.append(f"{count} {ENTITY_KINDS[kind][1].lower() if kind != 'folded' else 'of several kinds'}")
    if not merged:
        return chart
    notes = [*(n for n in chart.notes if not n.startswith(_FOLDED)), f"{_FOLDED} {', '.join(folds)} (entity_flows.csv "
             "names them)."]
    flows: dict[tuple[str, str], EntityFlow] = {}
    internal = chart.internal_sats
    inside: dict[str, int] = {}
    for entity, sats in chart.internal_by.items():
        inside[merged.get(entity, entity)] = inside.get(merged.get(entity, entity), 0) + sats
    for flow in chart.flows.values():
        source, target = merged.get(flow.source, flow.source), merged.get(flow.target, flow.target)
        if source == target:
            internal += flow.sats
            inside[source] = inside.get(source, 0) + flow.sats
            continue
        _add(flows, source, target, {"sats": flow.sats, "transfers": flow.transfers, "txids": flow.txids,
                                     "first": flow.first, "last": flow.last})
    return EntityChart(entities, flows, internal, inside, notes)


def internal_note(chart: EntityChart) -> str:
    """What the chart says of the money that moved inside single boxes ("" when none did)."""
    if not chart.internal_sats:
        return ""
    largest = sorted(chart.internal_by.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    where = "; ".join(f"{format_btc(sats)} BTC in {ENTITY_KINDS[chart.entities[e].kind][1]} {chart.entities[e].short_name}"
                      for e, sats in largest if e in chart.entities)
    return (f"Not drawn, and not to be added to any total: {format_btc(chart.internal_sats)} BTC of movements inside "
            "single boxes (change back to the same wallet, a wallet's own hops), the same coins counted again each "
            f"time they moved" + (f" (largest: {where})." if where else "."))


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


def entity_chart(graph: nx.MultiDiGraph, coinjoins: dict | None = None, max_per_column: int | None = 7,
                 sanctioned: frozenset[str] = frozenset()) -> EntityChart:
    """The entity-level flow of a trace graph (see the module docstring); an entity holding an
    address of *sanctioned* (on an imported sanctions list) is marked. *max_per_column* None:
    nothing folded (entity_flows.csv names every entity; the drawings fold for room)."""
    cluster_flows = cluster_flow_graph(graph)
    entities, owner = _entities_of(graph, cluster_flows, coinjoins or {})
    chart = EntityChart(entities, {}, cluster_flows.graph["internal_sats"])
    for cluster, sats in sorted(cluster_flows.graph["internal_by_cluster"].items()):
        if cluster in owner:
            chart.internal_by[owner[cluster]] = chart.internal_by.get(owner[cluster], 0) + sats
    for a, b, data in sorted(cluster_flows.edges(data=True), key=lambda e: (e[0], e[1])):
        source, target = owner[a], owner[b]
        if source == target:
            chart.internal_sats += data["value"]
            chart.internal_by[source] = chart.internal_by.get(source, 0) + data["value"]
            continue
        _add(chart.flows, source, target, {"sats": data["value"], "transfers": data["transfers"],
                                           "txids": data["txids"], "first": data["first"], "last": data["last"]})
    _add_mixed_inputs(graph, chart, owner)
    used = {e for pair in chart.flows for e in pair}
    chart.entities = {k: v for k, v in chart.entities.items() if k in used}
    for entity in chart.entities.values():
        entity.sanctioned = not sanctioned.isdisjoint(entity.addresses)
    return chart if max_per_column is None else fold_entities(chart, max_per_column)


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
