"""Roles the chain cannot show, taken from the case file: who the victims are, who holds the seed.

A trace shows that an address paid a seed, never that its owner is a victim; nor that the seed's
owner is an extortionist. Those are the investigator's findings, from the case (a victim's
statement, a negotiator's record, a warrant). The case file names them (``[case] victims``: the
victims' payment txids or addresses; ``[case] seed_owner``: who holds the seed addresses), and
they are marked here on the address nodes (``case_role``) with where they came from
(``case_role_source``). A name the trace does not hold is reported, never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx

from btctrace.graph import schema as S

__all__ = ["CASE_ROLE_VICTIM", "CaseRoles", "mark_case_roles"]

CASE_ROLE_VICTIM = "victim"


@dataclass(frozen=True)
class CaseRoles:
    """What the case file named, and what of it the trace holds."""
    source: str = ""  # where the roles come from ("case file cases/x.toml")
    victims: tuple[str, ...] = ()  # addresses marked as a victim's
    seed_owner: str = ""  # who the case file says holds the seed addresses ("" when not said)
    not_in_trace: tuple[str, ...] = field(default=())  # named entries the trace does not hold

    @property
    def given(self) -> bool:
        return bool(self.victims or self.seed_owner or self.not_in_trace)


def _victim_addresses(graph: nx.MultiDiGraph, named: tuple[str, ...]) -> tuple[set[str], list[str]]:
    """The addresses *named* stands for: an address as itself; a txid (the victim's payment) as
    the addresses that funded it."""
    found: set[str] = set()
    missing: list[str] = []
    for entry in named:
        data = graph.nodes.get(entry)
        if data is None:
            missing.append(entry)
        elif data[S.KIND] == S.KIND_TX:
            found.update(source for source, _ in graph.in_edges(entry) if graph.nodes[source].get("address"))
        else:
            found.add(entry)
    return found, missing


def mark_case_roles(graph: nx.MultiDiGraph, victims: tuple[str, ...] = (), seed_owner: str = "",
                    source: str = "") -> CaseRoles:
    """Mark the case file's roles on *graph* (in place) and say what was marked."""
    addresses, missing = _victim_addresses(graph, victims)
    for address in addresses:
        graph.nodes[address].update(case_role=CASE_ROLE_VICTIM, case_role_source=source)
    if seed_owner:
        for node, data in graph.nodes(data=True):
            if data.get("role") == S.ROLE_SEED:
                data.update(case_role=seed_owner, case_role_source=source)
    return CaseRoles(source, tuple(sorted(addresses)), seed_owner, tuple(missing))
