"""Cluster-level attribution: a tag on any address of a common-input cluster labels the whole
cluster (Meiklejohn et al., IMC 2013, §4: naming clusters from a few tagged addresses; GraphSense
does the same with its ``is_cluster_definer`` tags). The label is one confidence step lower than
the tag's own, because it also rests on the clustering heuristic; the merges that join the
cluster are the evidence. Tags that disagree inside one cluster are reported as a conflict and
never resolved silently. Pure: reads clusters and tags only."""

from __future__ import annotations

from dataclasses import dataclass, field

from btctrace.heuristics.clustering import Clusters, Merge
from btctrace.tags import CONFIDENCE_LEVELS, Tag, TagIndex

__all__ = ["ClusterAttribution", "attribute_clusters", "step_down"]

# The confidence ladder, highest first (one name per level: GraphSense's names, confidence.csv).
_LADDER = ("ownership", "manual_transaction", "forensic_investigation", "authority_data", "forensic",
           "untrusted_transaction", "web_crawl", "heuristic", "unknown")


def step_down(confidence: str) -> str:
    """The next lower confidence level than *confidence* (``unknown`` stays ``unknown``)."""
    level = CONFIDENCE_LEVELS.get(confidence, 0)
    lower = [name for name in _LADDER if CONFIDENCE_LEVELS[name] < level]
    return lower[0] if lower else "unknown"


@dataclass
class ClusterAttribution:
    cluster: str  # the cluster id (C0001 …)
    addresses: list[str]
    label: str  # the label the cluster takes; with a conflict, every label joined with " / "
    category: str
    confidence: str  # one step below the best tag's
    tagged: list[Tag]  # the tags that name it (sanctions entries included)
    merges: list[Merge] = field(default_factory=list)  # the merges that join the cluster
    conflict: list[str] = field(default_factory=list)  # distinct labels when they disagree
    sanctions: list[Tag] = field(default_factory=list)

    @property
    def untagged(self) -> list[str]:
        """Members named only through the cluster."""
        named = {t.address for t in self.tagged}
        return [a for a in self.addresses if a not in named]


def _identity(tag: Tag) -> str:
    return (tag.actor or tag.label).strip().lower()


def attribute_clusters(clusters: Clusters, tags: TagIndex) -> list[ClusterAttribution]:
    """One attribution per cluster of two or more addresses holding at least one tag."""
    ids = clusters.ids()
    merges_of: dict[str, list[Merge]] = {}
    for merge in clusters.merges:
        merges_of.setdefault(ids[merge.a], []).append(merge)
    found = []
    for group in clusters.groups():
        if len(group) < 2:
            continue
        every = [tag for address in group for tag in tags.every(address)]
        if not every:
            continue
        service_tags = [t for t in every if not t.is_sanction]
        naming = service_tags or every
        identities = sorted({_identity(t) for t in naming})
        best = min(naming, key=lambda t: (-t.confidence_level, t.label, t.address))
        labels = sorted({t.label for t in naming})
        found.append(ClusterAttribution(
            cluster=ids[group[0]], addresses=group,
            label=" / ".join(labels) if len(identities) > 1 else best.label,
            category=best.category if len(identities) == 1 else "conflicting",
            confidence=step_down(best.confidence), tagged=sorted(every, key=lambda t: (t.address, t.label)),
            merges=merges_of.get(ids[group[0]], []), conflict=labels if len(identities) > 1 else [],
            sanctions=[t for t in every if t.is_sanction]))
    return found
