"""bitcoin-etl exports: read, CoinJoins flagged by btctrace's detectors, clustered in process
exactly as the per-case clustering does."""

import json

import pytest

from btctrace.errors import UsageProblem
from btctrace.heuristics.clustering import cluster_common_inputs
from btctrace.heuristics.coinjoin import detect_coinjoin
from btctrace.providers.esplora.mapping import tx_from_json
from btctrace.scale.etl import cluster_export, input_rows, read_etl, tx_from_etl
from btctrace.testing.etl import write_etl_export


@pytest.fixture(scope="module")
def export(demo, tmp_path_factory):
    return write_etl_export(demo.store, tmp_path_factory.mktemp("etl") / "transactions.json")


def test_an_etl_row_reads_as_the_same_transaction_the_explorer_gives(demo, export):
    for row in read_etl(export):
        ours, esplora = tx_from_etl(row), tx_from_json(demo.store.txs[row["hash"]])
        assert [(i.address, i.value, i.prev_txid) for i in ours.inputs if not i.is_coinbase] == \
            [(i.address, i.value, i.prev_txid) for i in esplora.inputs if not i.is_coinbase]
        assert [(o.address, o.value, o.script_type) for o in ours.outputs] == \
            [(o.address, o.value, o.script_type) for o in esplora.outputs]


def test_the_coinjoin_of_the_demo_is_flagged_and_excluded(demo, export):
    rows = input_rows(read_etl(export))
    flagged = set(rows.loc[rows["coinjoin"], "txid"])
    expected = {t for t, raw in demo.store.txs.items() if detect_coinjoin(tx_from_json(raw)) and
                not any(i.get("is_coinbase") for i in raw["vin"])}
    assert flagged == expected and flagged


def test_in_process_clusters_equal_the_per_case_clustering(demo, export):
    frame = cluster_export(export)
    txs = [tx_from_json(raw) for raw in demo.store.txs.values()]
    coinjoins = {tx.txid: f for tx in txs if (f := detect_coinjoin(tx))}
    groups = cluster_common_inputs(txs, coinjoins, collapse_threshold=10**9).groups()
    expected = {address: min(group) for group in groups for address in group}
    assert dict(zip(frame["address"], frame["cluster"])) == {a: expected.get(a, a) for a in frame["address"]}
    assert list(frame["address"]) == sorted(frame["address"]) and (frame["cluster"] <= frame["address"]).all()


def test_a_line_that_is_not_json_is_one_clear_error(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"hash": "ab" * 32, "inputs": [], "outputs": []}) + "\n{oops\n")
    with pytest.raises(UsageProblem, match="line 2"):
        list(read_etl(path))


@pytest.mark.parametrize("line, problem", [
    ('["a list"]', "a JSON list"),
    ('{"inputs": []}', "no 'hash'"),
    ('{"hash": "ab", "inputs": "not a list"}', "'inputs' is not a list"),
    ('{"hash": "ab", "inputs": [{"addresses": "1abc", "value": 5}]}', "'addresses' is not a list of strings"),
    ('{"hash": "ab", "inputs": [{"addresses": ["1abc"], "value": "abc"}]}', "'value' 'abc' is not a whole number"),
    ('{"hash": "ab", "outputs": [{"addresses": ["1abc"], "value": 1.5}]}', "not a whole number"),
])
def test_a_row_that_is_not_a_transaction_is_one_clear_error(tmp_path, line, problem):
    path = tmp_path / "bad.json"
    path.write_text('{"hash": "ok", "inputs": [], "outputs": []}\n' + line + "\n")
    with pytest.raises(UsageProblem, match="line 2 is not a bitcoin-etl transaction") as raised:
        cluster_export(path)
    assert problem in raised.value.message


def test_an_export_that_is_a_fifo_is_refused_without_hanging(tmp_path):
    import os

    os.mkfifo(tmp_path / "pipe.json")
    with pytest.raises(UsageProblem, match="a FIFO, not a regular file"):
        cluster_export(tmp_path / "pipe.json")
