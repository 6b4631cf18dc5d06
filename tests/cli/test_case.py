"""``btctrace case run|validate`` on the bundled demo case: offline, from the committed cassette."""

import json

from click.testing import CliRunner

from btctrace.cli import cli
from btctrace.errors import ExitCode
from btctrace.exports import OUTPUT_FILES
from tests.conftest import PROJECT_ROOT, comparable_cassette

DEMO_CASE = str(PROJECT_ROOT / "cases" / "demo-ransom.toml")


def test_demo_case_runs_offline_and_says_where(tmp_path):
    out = tmp_path / "demo"
    result = CliRunner().invoke(cli, ["case", "run", DEMO_CASE, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "SYNTHETIC" in result.stdout and f"Wrote {len(OUTPUT_FILES) + 1} files to {out}" in result.stdout
    assert result.stderr == ""  # no progress when stderr is not a terminal
    doc = json.loads((out / "trace.json").read_text())
    case = doc["case"]
    assert (case["id"], case["title"], case["synthetic"], case["kind"]) == \
        ("demo-ransom", "DemoLocker ransom (synthetic)", True, "ransomware")
    assert len(case["victims"]) == 5 and case["seed_owner"].startswith("the DemoLocker operator")
    assert case["source"] == "case file demo-ransom.toml" and case["examiner"] == ""
    assert doc["counts"]["stops_by_reason"].keys() == {"coinjoin", "large_address", "tagged_service", "unspent"}


def test_demo_case_default_output_folder_is_out_case_id(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["case", "run", DEMO_CASE])
    assert result.exit_code == 0, result.output
    assert "out/demo-ransom" in result.stdout and (tmp_path / "out" / "demo-ransom" / "trace.json").exists()


def test_case_without_cassette_asks_to_record(tmp_path):
    case = tmp_path / "c.toml"
    case.write_text('[case]\nid = "c"\n[trace]\nseeds = ["15JFh88FcE4WL6qeMLgX5VEAFCbRXjc9fr"]\n'
                    '[provider]\ncassette = "c.json"\n')
    result = CliRunner().invoke(cli, ["case", "run", str(case), "--out", str(tmp_path / "o")])
    assert result.exit_code == ExitCode.USAGE and "--record" in result.stderr


def test_bad_case_file_exits_3(tmp_path):
    case = tmp_path / "c.toml"
    case.write_text('[case]\nid = "c"\n[trace]\nseeds = "not a list"\n')
    result = CliRunner().invoke(cli, ["case", "run", str(case)])
    assert result.exit_code == ExitCode.CASE_FILE
    assert result.stderr.count("\n") == 1 and "trace.seeds" in result.stderr


def test_validate_prints_the_plan():
    result = CliRunner().invoke(cli, ["case", "validate", DEMO_CASE])
    assert result.exit_code == 0 and "SYNTHETIC" in result.stdout and "hops 20" in result.stdout
    assert "examiner not given" in result.stdout and "5 victims' payments or addresses" in result.stdout


def test_recording_a_case_then_replaying_it(demo, tmp_path):
    from btctrace.testing.server import EsploraServer

    text = (PROJECT_ROOT / "cases" / "demo-ransom.toml").read_text()
    case = tmp_path / "cases" / "mine.toml"
    case.parent.mkdir()
    case.write_text(text.replace('id = "demo-ransom"', 'id = "mine"').replace("../cassettes/demo-ransom.json", "mine.json")
                    .replace('"demo-tags.yaml"', f'"{PROJECT_ROOT / "cases" / "demo-tags.yaml"}"'))
    runner = CliRunner()
    with EsploraServer(demo.store) as server:
        # --no-store: a store would add its /blocks/tip/height answer, which the committed cassette
        # (made by make_demo, without a store) does not hold
        live = runner.invoke(cli, ["case", "run", str(case), "--record", "--api-url", server.api_url,
                                   "--out", str(tmp_path / "live"), "--no-store"])
        assert live.exit_code == 0, live.output
        again = runner.invoke(cli, ["case", "run", str(case), "--record", "--api-url", server.api_url,
                                    "--out", str(tmp_path / "x")])
        assert again.exit_code == ExitCode.USAGE and "--force" in again.stderr
    replay = runner.invoke(cli, ["case", "run", str(case), "--out", str(tmp_path / "replay"), "--no-store"])
    assert replay.exit_code == 0, replay.output
    for name in OUTPUT_FILES:
        assert (tmp_path / "live" / name).read_bytes() == (tmp_path / "replay" / name).read_bytes()
    committed = comparable_cassette((PROJECT_ROOT / "cassettes" / "demo-ransom.json").read_text(),
                                    "127.0.0.1:50010", server.api_url.split("/")[2])
    assert comparable_cassette((case.parent / "mine.json").read_text()) == committed


def test_recorded_case_never_touches_the_network(tmp_path, monkeypatch):
    import socket

    def refuse(self, *args, **kwargs):
        raise AssertionError("a recorded case opened a socket")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    result = CliRunner().invoke(cli, ["case", "run", DEMO_CASE, "--out", str(tmp_path / "o"), "--workers", "8"])
    assert result.exit_code == 0, result.output


def test_a_run_says_what_to_open_next_and_where_it_created_the_store(tmp_path):
    """Issue 33: the demo listed its files and stopped; its store appeared without a word."""
    store = tmp_path / "new" / "store.sqlite"
    args = ["case", "run", str(PROJECT_ROOT / "cases" / "demo-ransom.toml"), "--store", str(store)]
    first = CliRunner().invoke(cli, [*args, "--out", str(tmp_path / "a")])
    assert first.exit_code == 0, first.output
    assert f"Store created at {store} (the first run here)" in first.stdout and "--no-store" in first.stdout
    lines = first.stdout.splitlines()
    after = lines[lines.index("Next:") + 1:]
    assert after[0].startswith(f"  open {tmp_path / 'a' / 'report.html'}")
    assert after[1].startswith(f"  btctrace explore {tmp_path / 'a'}") and after[2].startswith("  btctrace verify ")
    second = CliRunner().invoke(cli, [*args, "--out", str(tmp_path / "b")])
    assert second.exit_code == 0 and "Store created" not in second.stdout
