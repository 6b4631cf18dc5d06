"""The synthetic demo chain is realistic, closed, deterministic, and its committed case files and
cassette are exactly what the generator and a recorded trace produce."""

from collections import Counter

from btctrace.testing.builder import SEQUENCE_FINAL, SEQUENCE_RBF
from btctrace.testing.demo import make_demo
from btctrace.testing.make_demo import write_demo_case
from tests.conftest import PROJECT_ROOT, comparable_cassette


def test_same_seed_same_chain(demo):
    assert make_demo().store.txs == demo.store.txs


def test_chain_is_closed_and_conserves_value(demo):
    txs = demo.store.txs
    for tx in txs.values():
        for vin in tx["vin"]:
            if vin["is_coinbase"]:
                continue
            funding = txs[vin["txid"]]["vout"][vin["vout"]]
            assert funding == vin["prevout"]
        if not tx["vin"][0]["is_coinbase"]:
            assert sum(v["prevout"]["value"] for v in tx["vin"]) - sum(o["value"] for o in tx["vout"]) == tx["fee"]


def test_fees_locktimes_and_sequences_are_realistic(demo):
    txs = [t for t in demo.store.txs.values() if not t["vin"][0]["is_coinbase"]]
    rates = [t["fee"] / ((t["weight"] + 3) // 4) for t in txs]
    assert 1 <= min(rates) and max(rates) <= 200
    locktimes = Counter("zero" if t["locktime"] == 0 else "anti-fee-sniping" for t in txs)
    assert locktimes["zero"] and locktimes["anti-fee-sniping"]
    sequences = {v["sequence"] for t in txs for v in t["vin"]}
    assert {SEQUENCE_FINAL, SEQUENCE_RBF} <= sequences


def test_story_shape(demo):
    store = demo.store
    payers = {store.tx(c.txid)["vin"][0]["prevout"]["scriptpubkey_type"] for c in demo.ransom_payments}
    assert len(demo.ransom_payments) == 5 and len(payers) == 4  # mixed address types
    days = {store.tx(c.txid)["status"]["block_time"] // 86_400 for c in demo.ransom_payments}
    assert len(days) >= 4
    split = store.tx(demo.split_txid)
    developer, affiliate = (o["value"] for o in split["vout"])
    assert developer == (developer + affiliate) * 15 // 100  # 85/15 after the fee
    assert len(demo.peel_txids) >= 10
    for txid in demo.peel_txids:
        tx = store.tx(txid)
        assert len(tx["vin"]) == 1 and len(tx["vout"]) == 2
    mix = store.tx(demo.coinjoin_txid)
    values = Counter(o["value"] for o in mix["vout"])
    assert values.most_common(1)[0][1] >= 5 and len(mix["vin"]) >= 5
    for address in demo.holdings:
        stats = store.address_stats(address)["chain_stats"]
        assert stats["funded_txo_count"] >= 1 and stats["spent_txo_count"] == 0
    assert store.address_stats(demo.large_address)["chain_stats"]["tx_count"] > 1_000


def test_committed_case_and_cassette_are_reproduced_by_the_generator(tmp_path):
    write_demo_case(tmp_path, port=0)
    made_toml = (tmp_path / "cases" / "demo-ransom.toml").read_text()
    api_url = next(line.split('"')[1] for line in made_toml.splitlines() if line.startswith("api_url"))
    committed_toml = (PROJECT_ROOT / "cases" / "demo-ransom.toml").read_text()
    committed_url = next(line.split('"')[1] for line in committed_toml.splitlines() if line.startswith("api_url"))
    assert made_toml.replace(api_url, committed_url) == committed_toml
    assert (tmp_path / "cases" / "demo-tags.yaml").read_text() == (PROJECT_ROOT / "cases" / "demo-tags.yaml").read_text()
    made = comparable_cassette((tmp_path / "cassettes" / "demo-ransom.json").read_text(), api_url, committed_url)
    committed = comparable_cassette((PROJECT_ROOT / "cassettes" / "demo-ransom.json").read_text())
    assert made == committed, "regenerate: python -m btctrace.testing.make_demo"
