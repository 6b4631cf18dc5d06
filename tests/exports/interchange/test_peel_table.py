"""peel_chains.csv: one row per hop, in chain order, satoshis exact, the end on the last row."""

from btctrace.exports.interchange.peel_table import PEEL_COLUMNS, peel_chains_frame
from btctrace.heuristics.change import ChainFacts
from btctrace.heuristics.peeling import find_peel_chains
from tests.heuristics.test_peeling import peel_chain


def test_every_hop_is_a_row_and_the_peels_add_up():
    txs, spenders = peel_chain(7)
    chains = find_peel_chains(txs, ChainFacts(spenders=spenders))
    frame = peel_chains_frame(chains)
    assert list(frame.columns) == PEEL_COLUMNS
    assert list(frame["txid"]) == [tx.txid for tx in txs] and list(frame["step"]) == list(range(1, 8))
    assert frame["peel_sats"].sum() == chains[0].total_peeled == 7 * 5_000_000
    assert frame["peel_btc"].iloc[0] == "0.05000000"
    assert list(frame["chain_end"].iloc[:-1]) == [""] * 6 and "not spent" in frame["chain_end"].iloc[-1]


def test_no_chain_gives_the_header_alone():
    assert list(peel_chains_frame([]).columns) == PEEL_COLUMNS and peel_chains_frame([]).empty
