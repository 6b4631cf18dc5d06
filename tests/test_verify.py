"""Verification: an untouched case verifies; one changed satoshi in one recorded response is
named and fails; changed outputs, another case file or a missing manifest fail clearly."""

import json
import shutil

import pytest
from click.testing import CliRunner

from btctrace.cli import cli
from btctrace.errors import ExitCode
from btctrace.exports import OUTPUT_FILES
from btctrace.reference import reference_implementation
from btctrace.verify import _second_opinion_check
from tests.conftest import PROJECT_ROOT


@pytest.fixture
def case_copy(tmp_path, monkeypatch):
    """The demo case, tags and cassette copied to tmp_path (so they can be tampered with)."""
    shutil.copytree(PROJECT_ROOT / "cases", tmp_path / "cases")
    shutil.copytree(PROJECT_ROOT / "cassettes", tmp_path / "cassettes")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["case", "run", "cases/demo-ransom.toml", "-q"])
    assert result.exit_code == 0, result.output
    return tmp_path


def invoke(*args):
    return CliRunner().invoke(cli, list(args), prog_name="btctrace")


def test_untouched_case_verifies(case_copy):
    result = invoke("case", "verify", "cases/demo-ransom.toml")
    assert result.exit_code == 0, result.output
    assert "VERIFIED" in result.stdout and result.stdout.count(": byte-identical on rerun") == len(OUTPUT_FILES)
    assert invoke("verify", "out/demo-ransom").exit_code == 0


def test_one_satoshi_changed_in_one_response_is_named(case_copy):
    path = case_copy / "cassettes" / "demo-ransom.json"
    data = json.loads(path.read_text())
    target = next(i for i in data["interactions"] if '"value":2850000000' in i["response"]["body"]["string"])
    body = target["response"]["body"]["string"]
    target["response"]["body"]["string"] = body.replace('"value":2850000000', '"value":2850000001', 1)
    path.write_text(json.dumps(data, indent=4, sort_keys=True) + "\n")
    result = invoke("verify", "out/demo-ransom")
    assert result.exit_code == ExitCode.NOT_VERIFIED
    assert f"changed: GET {target['request']['uri']}" in result.stdout
    assert "rerun: not run" in result.stdout and "NOT VERIFIED" in result.stdout


def test_an_edited_output_is_reported(case_copy):
    trace = case_copy / "out" / "demo-ransom" / "trace.json"
    trace.write_text(trace.read_text().replace('"hops": 20', '"hops": 21'))
    result = invoke("verify", "out/demo-ransom")
    assert result.exit_code == ExitCode.NOT_VERIFIED
    assert "FAIL  output trace.json: byte-identical on rerun; the file in the folder CHANGED" in result.stdout


def test_another_case_file_does_not_verify(case_copy):
    other = case_copy / "cases" / "other.toml"
    other.write_text((case_copy / "cases" / "demo-ransom.toml").read_text().replace("hops = 20", "hops = 19"))
    result = invoke("case", "verify", "cases/other.toml", "--out", "out/demo-ransom")
    assert result.exit_code == ExitCode.NOT_VERIFIED and "is not the case file of this run" in result.stdout


def test_folder_without_manifest(tmp_path):
    result = invoke("verify", str(tmp_path))
    assert result.exit_code == ExitCode.NOT_VERIFIED
    assert result.stderr.startswith("btctrace: error: cannot verify") and result.stderr.count("\n") == 1


def test_live_run_without_recording_cannot_be_verified(demo, tmp_path):
    from btctrace.testing.server import EsploraServer

    with EsploraServer(demo.store) as server:
        assert invoke("trace", demo.ransom_address, "--hops", "1", "--out", str(tmp_path / "o"),
                      "--api-url", server.api_url).exit_code == 0
    result = invoke("verify", str(tmp_path / "o"))
    assert result.exit_code == ExitCode.NOT_VERIFIED and "nothing to replay" in result.stdout


def test_manifest_records_versions_parameters_and_hashes(case_copy):
    manifest = json.loads((case_copy / "out" / "demo-ransom" / "manifest.json").read_text())
    assert manifest["environment"]["dependencies"]["networkx"] != "absent"
    assert manifest["parameters"]["hops"] == 20 and manifest["mode"] == "offline"
    assert set(manifest["outputs"]) == set(OUTPUT_FILES)
    recorded = json.loads((case_copy / "cassettes" / "demo-ransom.json").read_text())["interactions"]
    assert manifest["cassette"]["interactions"] == len(manifest["cassette"]["interaction_sha256"]) == len(recorded)
    assert manifest["created_utc"].endswith("Z")


@pytest.mark.parametrize("damage, problem", [
    (lambda m: m.pop("parameters"), "'parameters' should be an object"),
    (lambda m: m["parameters"].pop("hops"), "parameters.hops is missing"),
    (lambda m: m["parameters"].__setitem__("hops", "six"), "parameters.hops should be int"),
    (lambda m: m["parameters"].__setitem__("seeds", "bc1q"), "parameters.seeds should be list"),
    (lambda m: m["parameters"].__setitem__("direction", "sideways"), "forward or backward"),
    (lambda m: m.__setitem__("cassette", "c.json"), "cassette should be an object"),
    (lambda m: m.__setitem__("case", None), "'case' should be an object"),
    (lambda m: m.__setitem__("outputs", {}), "'outputs' should name each output"),
    (lambda m: m["outputs"].__setitem__("../x", "00" * 32), "'outputs' should name each output"),
    (lambda m: m.__setitem__("tags", [{"path": 3}]), "a tags entry should be an object"),
])
def test_a_malformed_manifest_is_exit_8_in_one_line(case_copy, damage, problem):
    path = case_copy / "out" / "demo-ransom" / "manifest.json"
    manifest = json.loads(path.read_text())
    damage(manifest)
    path.write_text(json.dumps(manifest))
    result = invoke("verify", "out/demo-ransom")
    assert result.exit_code == ExitCode.NOT_VERIFIED, result.output
    assert len(result.stderr.strip().splitlines()) == 1 and problem in result.stderr and "Traceback" not in result.output


def test_an_output_replaced_by_a_folder_and_an_extra_file_are_named(case_copy):
    out = case_copy / "out" / "demo-ransom"
    (out / "flow.png").unlink()
    (out / "flow.png").mkdir()
    (out / "notes.txt").write_text("added later")
    result = invoke("verify", "out/demo-ransom")
    assert result.exit_code == ExitCode.NOT_VERIFIED
    assert "FAIL  folder: 1 file(s) the run did not write: notes.txt" in result.stdout
    assert "FAIL  output flow.png: CHANGED or missing since the run" in result.stdout


def test_a_trimmed_manifest_with_an_added_script_cannot_pass(case_copy):
    """The manifest may not list fewer outputs than a rerun writes: every output is compared."""
    out = case_copy / "out" / "demo-ransom"
    manifest = json.loads((out / "manifest.json").read_text())
    report = out / "report.html"
    report.write_text(report.read_text().replace("</body>", "<script>alert(1)</script></body>"))
    del manifest["outputs"]["report.html"]
    (out / "manifest.json").write_text(json.dumps(manifest))
    result = invoke("verify", "out/demo-ransom")
    assert result.exit_code == ExitCode.NOT_VERIFIED, result.output
    assert "report.html" in result.stdout and "VERIFIED:" not in result.stdout.replace("NOT VERIFIED", "")


def test_a_folder_marked_incomplete_is_not_verified(case_copy):
    out = case_copy / "out" / "demo-ransom"
    (out / "INCOMPLETE").write_text("x")
    result = invoke("verify", "out/demo-ransom")
    assert result.exit_code == ExitCode.NOT_VERIFIED and "did not finish" in result.stdout


def test_taint_results_written_later_are_rerun_and_compared(case_copy):
    assert invoke("taint", "out/demo-ransom", "--method", "fifo").exit_code == 0
    result = invoke("verify", "out/demo-ransom")
    assert result.exit_code == 0, result.output
    assert "OK    taint/: written by btctrace taint from this run's trace.json" in result.stdout
    assert "OK    taint/taint.json: byte-identical on rerun" in result.stdout


@pytest.mark.parametrize("damage, said", [
    (lambda taint: (taint / "taint.json").write_text((taint / "taint.json").read_text().replace("1", "2")),
     "FAIL  taint/taint.json: CHANGED"),
    (lambda taint: (taint / "notes.txt").write_text("x"), "holds file(s) btctrace taint did not write: notes.txt"),
    (lambda taint: (taint / "taint_manifest.json").unlink(), "holds no readable taint_manifest.json"),
])
def test_nothing_under_taint_passes_unchecked(case_copy, damage, said):
    """Issue 32: any content under taint/ gave VERIFIED."""
    assert invoke("taint", "out/demo-ransom").exit_code == 0
    damage(case_copy / "out" / "demo-ransom" / "taint")
    result = invoke("verify", "out/demo-ransom")
    assert result.exit_code == ExitCode.NOT_VERIFIED and said in result.stdout, result.stdout


def test_verify_refuses_a_run_quoting_another_second_opinion():
    here = reference_implementation()
    assert _second_opinion_check({"second_opinion": here}) == []
    other = _second_opinion_check({"second_opinion": "graphsense-lib 9.9.9"})
    assert len(other) == 1 and not other[0].ok and "graphsense-lib==9.9.9" in other[0].detail


def _edit_manifest(out, edit):
    path = out / "manifest.json"
    manifest = json.loads(path.read_text())
    edit(manifest)
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")


@pytest.mark.parametrize("edit, subject", [
    (lambda m: m.update(created_utc="2020-01-01T00:00:00Z"), "statement created_utc"),
    (lambda m: m.update(mode="record"), "statement mode"),
    (lambda m: m["environment"].update(btctrace="9.9.9"), "statement environment.btctrace"),
    (lambda m: m["explorers"]["answered"].update({"https://other.example/api": 5}), "statement explorers.answered"),
    (lambda m: m["explorers"]["switches"].append({"request": "tx " + "ab" * 32, "failed": m["api_url"],
                                                  "error": "HTTP 503", "to": "https://other.example/api"}),
     "statement explorers.switches"),
    (lambda m: m["explorers"]["refused"].append({"request": "tx " + "ab" * 32, "api_url": m["api_url"], "check": "x",
                                                 "detail": "y"}), "statement explorers.refused"),
    (lambda m: m["explorers"]["api_urls"].insert(0, "https://other.example/api"), "statement api_url"),
    (lambda m: m["parameters"].update(cross_check=3), "statement parameters"),
    (lambda m: m["parameters"].update(max_response_bytes=1), "statement parameters"),
    (lambda m: m["case"].update(title="Another case"), "statement case"),
])
def test_an_edited_statement_of_the_manifest_is_named(case_copy, edit, subject):
    """Issue 32: edited provenance (created_utc, mode, environment.btctrace, explorers.*,
    parameters.cross_check) still gave VERIFIED."""
    _edit_manifest(case_copy / "out" / "demo-ransom", edit)
    result = invoke("verify", "out/demo-ransom")
    assert result.exit_code == ExitCode.NOT_VERIFIED, result.stdout
    assert f"FAIL  {subject}:" in result.stdout


def test_what_nothing_re_derives_is_named_not_passed_silently(case_copy):
    _edit_manifest(case_copy / "out" / "demo-ransom", lambda m: m["parameters"].update(workers=1))
    result = invoke("verify", "out/demo-ransom")
    assert result.exit_code == 0, result.stdout
    assert "NOTE  statement parameters.workers: 1: changes no output" in result.stdout
    assert "NOTE  statement created_utc" in result.stdout and "marked NOTE" in result.stdout


def test_a_recording_run_is_tied_to_its_cassette(demo, tmp_path):
    from btctrace.job import TraceJob
    from btctrace.runner import run_trace
    from btctrace.testing.server import EsploraServer
    from btctrace.tracing.result import TraceLimits
    from btctrace.tracing.seeds import parse_seed
    from btctrace.verify import verify_outputs

    out = tmp_path / "out"
    with EsploraServer(demo.store) as server:
        run_trace(TraceJob((parse_seed(demo.ransom_address),), out, limits=TraceLimits(hops=3), api_url=server.api_url,
                           record=out / "case.json", no_store=True))
    report = verify_outputs(out)
    assert report.ok, [c for c in report.checks if not c.ok]
    assert any(c.subject == "statement mode" and "names this run as its recorder" in c.detail for c in report.checks)
    _edit_manifest(out, lambda m: m.update(mode="offline"))
    failed = [c for c in verify_outputs(out).checks if not c.ok]
    assert [c.subject for c in failed][:1] == ["statement mode"]
