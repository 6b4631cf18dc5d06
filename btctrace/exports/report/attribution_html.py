"""The report's attribution parts: the sanctions warning on the first page, the named clusters
and deposits, and the links to other cases. Built from
:func:`btctrace.exports.report.attribution.attribution_section`; every value is escaped by the table
helper the report passes in (``html_text`` for the free text here)."""

from __future__ import annotations

from typing import Any, Callable, Iterable

from btctrace.exports.writing.safe_text import html_text as _e
from btctrace.units import counted

__all__ = ["attributions_html", "case_links_html", "sanctions_banner"]

Table = Callable[[list[str], Iterable[Iterable[Any]]], str]
_SHOWN = 25  # shared items listed per linked case; the counts say how many in all


def sanctions_banner(attribution: dict[str, Any]) -> str:
    """A warning box for the first page when a traced address is on a sanctions list."""
    hits = attribution["sanctions"]
    if not hits:
        return ""
    items = "".join(f"<li><span class=\"mono\">{_e(h['address'])}</span> ({_e(h['role'])}): {_e(h['list'])}, "
                    f"{_e(h['entry'])}" + (f", listed {_e(h['listed_on'])}" if h["listed_on"] else "") + "</li>"
                    for h in hits)
    count = len({h["address"] for h in hits})
    addresses = "1 traced address" if count == 1 else f"{count:,} traced addresses"
    return (f'<div class="synthetic"><p>SANCTIONS: {addresses} on an imported sanctions list. '
            f"Dealing with them may be prohibited; check the entry before any action.</p><ul>{items}</ul></div>")


def attributions_html(attribution: dict[str, Any], table: Table) -> str:
    store = attribution["store"]
    used = f"{_e(store)} (where: manifest.json)" if store else "none (--no-store)"
    parts = [f"<p>Store: {used}; {_e(counted(attribution['tags_from_store'], 'tag'))} taken from it, pinned in "
             "store_snapshot.json.</p>"]
    tagged = attribution.get("addresses", [])
    if tagged:
        rows = [[row["address"], row["role"], "; ".join(
            f"{t['label']} ({t.get('abuse') or t['category'] or 'no category'}; source {t['source'] or 'not given'}; "
            f"confidence {t['confidence'] or 'not stated'}; {t['from']})" for t in row["tags"])] for row in tagged]
        parts.append("<p>Traced addresses carrying a tag of their own (sanctions entries are listed apart):</p>")
        parts.append(table(["address", "role", "tags (label, category, source, confidence, file)"], rows))
    clusters = attribution["clusters"]
    if clusters:
        rows = [[c["cluster"], c["label"], c["category"], c["confidence"], c["addresses"],
                 len(c["named_only_through_cluster"]), len(c["merges"]),
                 "; ".join(f"{t['address']}: {t['label']} ({t['from']})" for t in c["tags"][:3])
                 + (f"; and {len(c['tags']) - 3} more" if len(c["tags"]) > 3 else ""),
                 ("CONFLICT: " + " / ".join(c["conflict"])) if c["conflict"] else ""] for c in clusters]
        parts.append("<p>A tag on any address of a common-input cluster names the cluster, one confidence step "
                     "lower (it also rests on clustering); conflicting tags are shown, never resolved. The merges "
                     "are in trace.json; <span class=\"mono\">btctrace explain</span> gives the chain for any "
                     "pair.</p>")
        parts.append(table(["cluster", "named", "category", "confidence", "addresses", "named only via cluster",
                            "merges", "tagged members", "conflict"], rows))
    deposits = attribution["deposits"]
    if deposits:
        rows = [[d["address"], d["sweep_txid"] or "", len(d["co_spenders"]), d["requests"], d["outcome"]]
                for d in deposits]
        parts.append("<p>Unlabelled endpoints followed one hop to the transaction that swept them "
                     "(--attribute-endpoints):</p>")
        parts.append(table(["endpoint", "sweep txid", "co-spenders", "requests", "outcome"], rows))
    if not tagged and not clusters and not deposits:
        parts.append("<p>No traced address, cluster or deposit was named by an attribution.</p>")
    return "".join(parts)


def case_links_html(attribution: dict[str, Any], table: Table) -> str:
    links = attribution["case_links"]
    if attribution["store"] is None:
        return "<p>No store was used: other cases were not consulted.</p>"
    if not links:
        return "<p>No other case in the store shares an address, transaction or cluster with this one.</p>"
    parts = []
    for link in links:
        addresses, txs, clusters = link["shared_addresses"], link["shared_transactions"], link["shared_clusters"]
        named = _e(link["title"]) + (f' <span class="mono">({_e(link["case_id"])})</span>'
                                     if link["title"] != link["case_id"] else "")
        parts.append(f"<h3>{named}</h3>"
                     f"<p>{_e(counted(len(addresses), 'shared address', 'shared addresses'))}, "
                     f"{_e(counted(len(txs), 'shared transaction'))}, {_e(counted(len(clusters), 'shared cluster'))}.</p>")
        if addresses:
            parts.append(table(["address", "role here", "role there"],
                               [[a["address"], a["role_here"], a["role_there"]] for a in addresses[:_SHOWN]]))
        if txs:
            parts.append(table(["shared txid"], [[t] for t in txs[:_SHOWN]]))
        if clusters:
            parts.append(table(["cluster here", "size", "cluster there", "size", "shared addresses"],
                               [[c["here"], c["size_here"], c["there"], c["size_there"],
                                 ", ".join(c["shared_addresses"][:5])] for c in clusters[:_SHOWN]]))
        if max(len(addresses), len(txs), len(clusters)) > _SHOWN:
            parts.append(f"<p>The first {_SHOWN} of each are listed; trace.json has them all.</p>")
    return "".join(parts)
