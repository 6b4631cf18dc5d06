"""``btctrace explain`` on the demo case: the affiliate's co-spend links two addresses, with
the txid, block and rule; unrelated addresses are said to be unlinked; bad input is one line."""

import pandas as pd

from btctrace.errors import ExitCode
from tests.cli.conftest import invoke


def test_cospent_addresses_are_explained_by_their_transaction(demo, demo_out):
    txid, first, second = demo.cospend
    result = invoke("explain", first, second, demo_out)
    assert result.exit_code == 0, result.output
    assert "linked by 1 merge(s)" in result.stdout and txid in result.stdout
    assert "rule common_input (Meiklejohn et al." in result.stdout and "block 8" in result.stdout


def test_cluster_ids_agree_across_outputs(demo, demo_out):
    _, first, second = demo.cospend
    rows = pd.read_csv(demo_out / "addresses.csv", dtype=str, keep_default_na=False).set_index("address")
    assert rows.loc[first, "cluster_id"] == rows.loc[second, "cluster_id"] != ""
    assert rows.loc[demo.ransom_address, "cluster_id"] != rows.loc[first, "cluster_id"]
    graphml = (demo_out / "graph.graphml").read_text()
    assert 'attr.name="cluster"' in graphml


def test_unlinked_addresses_are_said_to_be_unlinked(demo, demo_out):
    result = invoke("explain", demo.ransom_address, demo.cospend[1], demo_out)
    assert result.exit_code == 0 and result.stdout.startswith("Not linked")


def test_bad_address_and_missing_trace_are_one_line_errors(demo, tmp_path):
    result = invoke("explain", "bc1qnotanaddress", demo.ransom_address, tmp_path)
    assert result.exit_code == ExitCode.USAGE and result.stderr.count("\n") == 1
    result = invoke("explain", demo.ransom_address, demo.ransom_address, tmp_path)
    assert result.exit_code == ExitCode.USAGE and "no trace.json" in result.stderr
    result = invoke("explain", demo.ransom_address, demo.ransom_address)
    assert result.exit_code == ExitCode.USAGE and "--case" in result.stderr
