"""``btctrace cluster`` on a bitcoin-etl export of the demo chain."""

import pandas as pd

from btctrace.errors import ExitCode
from btctrace.scale.etl import cluster_export
from btctrace.testing.etl import write_etl_export
from tests.cli.conftest import invoke


def test_cluster_writes_every_spending_address_with_its_cluster(demo, tmp_path):
    export = write_etl_export(demo.store, tmp_path / "transactions.json")
    result = invoke("cluster", export, "--out", tmp_path / "clusters.csv")
    assert result.exit_code == 0, result.output
    written = pd.read_csv(tmp_path / "clusters.csv")
    assert written.to_dict("list") == cluster_export(export).to_dict("list")
    assert f"{len(written):,} addresses in {written['cluster'].nunique():,} clusters" in result.output
    again = invoke("cluster", export, "--out", tmp_path / "clusters.csv")
    assert again.exit_code == ExitCode.OUTPUT and "--force" in again.output


def test_a_missing_export_is_one_clear_error(tmp_path):
    result = invoke("cluster", tmp_path / "nope.json", "--out", tmp_path / "c.csv")
    assert result.exit_code == ExitCode.USAGE and result.output.count("\n") == 1
