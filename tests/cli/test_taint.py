"""``btctrace taint`` reads a trace's output folder (no network), prints the reconciled
endpoints table, writes endpoints.csv and taint.json, and refuses bad seeds in one line."""

import json

import pandas as pd
import pytest

from btctrace.errors import ExitCode
from tests.cli.conftest import invoke


def test_all_methods_reconcile_and_match_the_trace_outputs(demo_out):
    result = invoke("taint", demo_out)
    assert result.exit_code == 0, result.output
    assert "reconciled: poison yes, haircut yes, fifo yes, lifo yes" in result.stdout
    written = pd.read_csv(demo_out / "taint" / "endpoints.csv", dtype=str, keep_default_na=False)
    traced = pd.read_csv(demo_out / "endpoints.csv", dtype=str, keep_default_na=False)
    assert written.equals(traced), "recomputing from trace.json gives what the trace wrote"
    assert json.loads((demo_out / "taint" / "taint.json").read_text())["methods"]["fifo"]["balanced"] is True
    assert invoke("taint", demo_out).exit_code == ExitCode.OUTPUT  # no overwrite without --force
    assert invoke("taint", demo_out, "--force").exit_code == 0


def test_one_method_from_one_seed_output(demo, demo_out, tmp_path):
    payment = demo.ransom_payments[1]
    result = invoke("taint", demo_out, "--method", "fifo", "--seed", f"{payment.txid}:{payment.vout}",
                    "--out", tmp_path / "t")
    assert result.exit_code == 0, result.output
    totals = json.loads((tmp_path / "t" / "taint.json").read_text())["methods"]
    assert list(totals) == ["fifo"] and totals["fifo"]["seed_sats"] == 2_850_000_000


@pytest.mark.parametrize("args, fragment", [
    (["--seed", "ab" * 32 + ":0"], "not in this trace"),
    (["--seed", "15JFh88FcE4WL6qeMLgX5VEAFCbRXjc9fr"], "not an output"),
])
def test_bad_seeds_are_one_line_errors(demo_out, tmp_path, args, fragment):
    result = invoke("taint", demo_out, *args, "--out", tmp_path / "x")
    assert result.exit_code == ExitCode.USAGE and fragment in result.stderr and result.stderr.count("\n") == 1


def test_backward_traces_are_refused(demo, tmp_path):
    from btctrace.testing.server import EsploraServer

    with EsploraServer(demo.store) as server:
        assert invoke("trace", demo.ransom_address, "--direction", "backward", "--hops", 2, "--out", tmp_path / "b",
                      "--api-url", server.api_url).exit_code == 0
    result = invoke("taint", tmp_path / "b")
    assert result.exit_code == ExitCode.USAGE and "backward" in result.stderr


def test_a_taint_folder_that_is_a_link_is_refused_and_nothing_written_through_it(demo_out, tmp_path):
    """Issue 32: ``btctrace taint DIR`` followed ``DIR/taint`` when it was a symbolic link."""
    import shutil

    received = tmp_path / "received"
    shutil.copytree(demo_out, received)
    shutil.rmtree(received / "taint", ignore_errors=True)  # an earlier test's results
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (received / "taint").symlink_to(elsewhere)
    result = invoke("taint", received)
    assert result.exit_code == ExitCode.OUTPUT, result.output
    assert "is a symbolic link, not a folder: refused" in result.stderr
    assert list(elsewhere.iterdir()) == []
