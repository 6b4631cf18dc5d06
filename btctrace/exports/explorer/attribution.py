"""What the explorer's panel says of an address's attribution, in plain words: each tag with its
label, category or abuse type, source, confidence, file and how it reaches the address (a tag
on the address itself, on its common-input cluster, or through the transaction that swept it);
each sanctions entry; and the other cases in the store that hold the address. Read from the
report's attribution section (:func:`btctrace.exports.report.attribution.attribution_section`),
so the page and the report say the same."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["HOW_ON_ADDRESS", "HOW_THROUGH_CLUSTER", "HOW_THROUGH_SWEEP", "AttributionIndex"]

HOW_ON_ADDRESS = "a tag on the address itself"
HOW_THROUGH_CLUSTER = "through its common-input cluster (one confidence step below the member's tag)"
HOW_THROUGH_SWEEP = "through the transaction that swept it"


def _plain(tag: dict[str, Any], how: str) -> dict[str, str]:
    return {"label": tag.get("label", ""), "category": tag.get("abuse") or tag.get("category", ""),
            "source": tag.get("source", ""), "confidence": tag.get("confidence", ""), "file": tag.get("from", ""),
            "how": how}


@dataclass
class AttributionIndex:
    """Address -> its tags, sanctions entries and other cases; cluster -> its attribution."""
    own: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    clusters: dict[str, dict[str, str]] = field(default_factory=dict)
    sweeps: dict[str, dict[str, str]] = field(default_factory=dict)
    sanctions: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    other_cases: dict[str, list[dict[str, str]]] = field(default_factory=dict)

    @classmethod
    def of(cls, attribution: dict[str, Any]) -> AttributionIndex:
        index = cls()
        for row in attribution.get("addresses", []):
            index.own[row["address"]] = [_plain(tag, HOW_ON_ADDRESS) for tag in row["tags"]]
        for cluster in attribution.get("clusters", []):
            index.clusters[cluster["cluster"]] = _plain(cluster, HOW_THROUGH_CLUSTER)
        for deposit in attribution.get("deposits", []):
            if deposit.get("named_by"):
                index.sweeps[deposit["address"]] = _plain(deposit["named_by"], HOW_THROUGH_SWEEP)
        for hit in attribution.get("sanctions", []):
            index.sanctions.setdefault(hit["address"], []).append(
                {"list": hit["list"], "entry": hit["entry"], "listed": hit.get("listed_on", ""),
                 "source": hit.get("source", "")})
        for link in attribution.get("case_links", []):
            for shared in link.get("shared_addresses", []):
                index.other_cases.setdefault(shared["address"], []).append(
                    {"case": link["title"], "id": link["case_id"], "role there": shared.get("role_there", "")})
        return index

    def tags_of(self, address: str, cluster: str, data: dict[str, Any]) -> list[dict[str, str]]:
        """Every attribution reaching *address*; without the report's section, the graph's tag."""
        tags = list(self.own.get(address, []))
        if not tags and data.get("label") and data.get("category") != "sanction":
            tags.append({"label": data["label"], "category": data.get("category", ""),
                         "source": data.get("tag_source", ""), "confidence": "", "file": "", "how": HOW_ON_ADDRESS})
        if cluster in self.clusters and not self.own.get(address):
            tags.append(self.clusters[cluster])
        if address in self.sweeps:
            tags.append(self.sweeps[address])
        return tags
