"""Common-input clustering that keeps its evidence and refuses to collapse.

Rule (Meiklejohn et al., IMC 2013, "Heuristic 1"; BlockSci, GraphSense): all input addresses of
a transaction with two or more inputs belong to one owner, except coinbase transactions and
CoinJoins (their inputs belong to many people). Every accepted merge records the txid, the rule
and the addresses it joined, so :func:`explain` can answer "which transactions link A and B?"
(what BlockSci issue #401 asks for). A merge of two clusters that are both larger than a
threshold is refused by default and recorded: supercluster collapse (Harrigan & Fretter, ATC
2016; BlockSci #167) is the classic false merge.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Iterable

from btctrace.heuristics import Finding
from btctrace.model import Tx

__all__ = [
    "COMMON_INPUT",
    "COMMON_INPUT_REFERENCE",
    "DEFAULT_COLLAPSE_THRESHOLD",
    "Merge",
    "RefusedMerge",
    "Clusters",
    "cluster_common_inputs",
    "explain",
]

COMMON_INPUT = "common_input"
COMMON_INPUT_REFERENCE = "Meiklejohn et al., A Fistful of Bitcoins, IMC 2013 (Heuristic 1)"
DEFAULT_COLLAPSE_THRESHOLD = 500


@dataclass(frozen=True, slots=True)
class Merge:
    """Evidence that *a* and *b* have one owner: they are inputs of *txid* (rule, source)."""

    a: str
    b: str
    txid: str
    rule: str
    reference: str


@dataclass(frozen=True, slots=True)
class RefusedMerge:
    txid: str
    rule: str
    sizes: tuple[int, int]
    reason: str


@dataclass
class Clusters:
    """Union-find over addresses with the evidence of every merge."""

    collapse_threshold: int = DEFAULT_COLLAPSE_THRESHOLD
    allow_collapse: bool = False
    merges: list[Merge] = field(default_factory=list)
    refused: list[RefusedMerge] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # txid -> why its inputs were not merged

    def __post_init__(self) -> None:
        self._parent: dict[str, str] = {}
        self._size: dict[str, int] = {}
        self._groups: list[list[str]] | None = None  # groups() until the next add or union

    def add(self, address: str) -> None:
        if address not in self._parent:
            self._parent[address] = address
            self._size[address] = 1
            self._groups = None

    def find(self, address: str) -> str:
        self.add(address)
        root = address
        while self._parent[root] != root:
            root = self._parent[root]
        while self._parent[address] != root:  # path compression
            self._parent[address], address = root, self._parent[address]
        return root

    def size_of(self, address: str) -> int:
        return self._size[self.find(address)]

    def union(self, merge: Merge) -> bool:
        """Join the clusters of ``merge.a`` and ``merge.b``; False when refused or already one."""
        root_a, root_b = self.find(merge.a), self.find(merge.b)
        if root_a == root_b:
            return False
        sizes = (self._size[root_a], self._size[root_b])
        if min(sizes) > self.collapse_threshold and not self.allow_collapse:
            self.refused.append(RefusedMerge(merge.txid, merge.rule, sizes,
                                             f"both clusters exceed {self.collapse_threshold} addresses "
                                             "(possible collapse: CoinJoin or shared service not detected)"))
            return False
        if sizes[0] < sizes[1]:
            root_a, root_b = root_b, root_a
        self._parent[root_b] = root_a
        self._size[root_a] += self._size[root_b]
        self._groups = None
        self.merges.append(merge)
        return True

    def groups(self) -> list[list[str]]:
        """Clusters as sorted address lists, largest first, then by first address (worked out once
        per state of the clusters: the exports ask several times; the lists are not to be changed)."""
        if self._groups is None:
            members: dict[str, list[str]] = {}
            for address in self._parent:
                members.setdefault(self.find(address), []).append(address)
            self._groups = sorted((sorted(group) for group in members.values()), key=lambda g: (-len(g), g[0]))
        return list(self._groups)

    def ids(self) -> dict[str, str]:
        """Address -> stable cluster id (``C0001`` is the largest cluster)."""
        return {address: f"C{number:04d}" for number, group in enumerate(self.groups(), 1) for address in group}


def cluster_common_inputs(txs: Iterable[Tx], coinjoins: dict[str, Finding] | None = None,
                          collapse_threshold: int = DEFAULT_COLLAPSE_THRESHOLD,
                          allow_collapse: bool = False) -> Clusters:
    """Cluster the addresses of *txs* by common-input ownership, skipping coinbase transactions
    and those in *coinjoins* (txid -> the detector's finding). Every address seen gets a cluster."""
    coinjoins = coinjoins or {}
    clusters = Clusters(collapse_threshold, allow_collapse)
    for tx in sorted(txs, key=lambda t: ((t.block_height or 1 << 62), t.txid)):
        for address in [i.address for i in tx.inputs] + [o.address for o in tx.outputs]:
            if address:
                clusters.add(address)
        owners = sorted({i.address for i in tx.inputs if i.address})
        if len(owners) < 2:
            continue
        if tx.is_coinbase:
            clusters.skipped[tx.txid] = "coinbase"
            continue
        if tx.txid in coinjoins:
            clusters.skipped[tx.txid] = f"{coinjoins[tx.txid].heuristic}: {coinjoins[tx.txid].reason}"
            continue
        for other in owners[1:]:
            clusters.union(Merge(owners[0], other, tx.txid, COMMON_INPUT, COMMON_INPUT_REFERENCE))
    return clusters


def explain(merges: Iterable[Merge], a: str, b: str) -> list[Merge] | None:
    """The shortest chain of merges linking *a* to *b* (each step oriented from a towards b),
    ``[]`` when a == b, or None when they are not linked."""
    if a == b:
        return []
    edges: dict[str, list[Merge]] = {}
    for merge in merges:
        edges.setdefault(merge.a, []).append(merge)
        edges.setdefault(merge.b, []).append(Merge(merge.b, merge.a, merge.txid, merge.rule, merge.reference))
    previous: dict[str, Merge] = {}
    queue, seen = deque([a]), {a}
    while queue:
        here = queue.popleft()
        for step in sorted(edges.get(here, []), key=lambda m: (m.b, m.txid)):
            if step.b in seen:
                continue
            seen.add(step.b)
            previous[step.b] = step
            if step.b == b:
                chain = [step]
                while chain[-1].a != a:
                    chain.append(previous[chain[-1].a])
                return chain[::-1]
            queue.append(step.b)
    return None
