"""Peel chains: found across hops with their peels, totals counted once, ends explained."""

from btctrace.heuristics.change import ChainFacts
from btctrace.heuristics.peeling import find_peel_chains, is_peel_step
from tests.heuristics.shapes import make_tx


def peel_chain(steps, start_value=100_000_000, peel=5_000_000):
    txs, spenders, value, owner = [], {}, start_value, "a0"
    for k in range(steps):
        value -= peel + 1_000
        tx = make_tx([(owner, value + peel + 1_000)], [(f"peel{k}", peel), (f"a{k + 1}", value)], height=800_000 + k)
        if txs:
            spenders[(txs[-1].txid, 1)] = tx
        txs.append(tx)
        owner = f"a{k + 1}"
    return txs, spenders


def test_a_chain_is_followed_to_its_end_and_peels_are_summed_once():
    txs, spenders = peel_chain(6)
    chains = find_peel_chains(txs, ChainFacts(spenders=spenders))
    assert len(chains) == 1
    chain = chains[0]
    assert chain.length == 6 and [s.txid for s in chain.steps] == [t.txid for t in txs]
    assert chain.total_peeled == 6 * 5_000_000
    assert [s.peel_address for s in chain.steps] == [f"peel{k}" for k in range(6)]
    assert "not spent within the trace" in chain.end


def test_short_runs_are_not_chains_and_coinjoins_are_never_steps():
    txs, spenders = peel_chain(2)
    assert find_peel_chains(txs, ChainFacts(spenders=spenders)) == []
    txs, spenders = peel_chain(5)
    chains = find_peel_chains(txs, ChainFacts(spenders=spenders), exclude={txs[2].txid})
    assert chains == []  # cut into runs of 2 and 2


def test_end_names_the_transaction_that_is_not_a_peel():
    txs, spenders = peel_chain(4)
    cashout = make_tx([("a4", 1), ("other", 1)], [("x", 1)])
    spenders[(txs[-1].txid, 1)] = cashout
    chain = find_peel_chains(txs + [cashout], ChainFacts(spenders=spenders))[0]
    assert chain.end.startswith(f"continues into {cashout.txid} (2 inputs, 1 outputs)")


def test_both_outputs_continuing_is_marked_ambiguous_and_the_larger_is_followed():
    txs, spenders = peel_chain(4)
    side = make_tx([("peel0", 5_000_000)], [("s1", 1_000_000), ("s2", 3_990_000)])
    spenders[(txs[0].txid, 0)] = side
    chain = find_peel_chains(txs + [side], ChainFacts(spenders=spenders))[0]
    assert chain.steps[0].ambiguous and chain.steps[0].continuation_index == 1


def test_peel_step_shape():
    assert is_peel_step(make_tx([("a", 10)], [("b", 4), ("c", 5)]))
    assert not is_peel_step(make_tx([("a", 10), ("b", 1)], [("b", 4), ("c", 5)]))
    assert is_peel_step(make_tx([("a", 10)], [(None, 0), ("b", 4), ("c", 5)]))  # OP_RETURN does not count


def test_demo_peel_chain(demo_trace):
    from btctrace.analysis import analyse

    result, _, _ = demo_trace
    chains = analyse(result).peel_chains
    assert len(chains) == 1 and chains[0].length >= 12
