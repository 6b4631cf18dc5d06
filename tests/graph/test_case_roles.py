"""Roles only the case file can give: a victim's payment named by its txid marks the addresses
that funded it, an address marks itself, the seed's holder goes on the seeds, each with its
source; a name the trace does not hold is reported, never dropped; nothing is marked unasked."""

from btctrace.graph import schema as S
from btctrace.graph.case_roles import CASE_ROLE_VICTIM, mark_case_roles


def _payment(result, seed):
    return next(t for t, traced in sorted(result.txs.items())
                if traced.hop == 0 and any(o.address == seed for o in traced.tx.outputs))


def test_a_payment_named_by_txid_marks_its_funders_and_only_them(demo_trace, demo):
    result, graph, _ = demo_trace
    marked = graph.copy()
    payment = _payment(result, demo.ransom_address)
    roles = mark_case_roles(marked, (payment,), "", "case file demo.toml")
    funders = {source for source, _ in graph.in_edges(payment)}
    assert set(roles.victims) == funders
    assert {n for n, d in marked.nodes(data=True) if d.get("case_role") == CASE_ROLE_VICTIM} == funders
    assert all(marked.nodes[n]["case_role_source"] == "case file demo.toml" for n in funders)
    assert all(marked.nodes[n]["role"] == S.ROLE_PAYER for n in funders), "the chain's role is kept beside it"


def test_an_address_named_marks_itself_and_an_unknown_name_is_reported(demo_trace):
    _, graph, _ = demo_trace
    marked = graph.copy()
    payer = next(n for n, d in graph.nodes(data=True) if d.get("role") == S.ROLE_PAYER)
    roles = mark_case_roles(marked, (payer, "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"), "", "case file x.toml")
    assert roles.victims == (payer,) and roles.not_in_trace == ("1BoatSLRHtKNngkdXEeobR76b53LETtpyT",)
    assert roles.given


def test_the_seeds_holder_goes_on_the_seeds_and_nothing_is_marked_unasked(demo_trace, demo):
    _, graph, _ = demo_trace
    marked = graph.copy()
    roles = mark_case_roles(marked, (), "DemoLocker affiliate", "case file demo.toml")
    held = {n for n, d in marked.nodes(data=True) if d.get("case_role")}
    assert held == {demo.ransom_address} and roles.seed_owner == "DemoLocker affiliate"
    untouched = graph.copy()
    assert not mark_case_roles(untouched).given
    assert not any(d.get("case_role") for _, d in untouched.nodes(data=True))
