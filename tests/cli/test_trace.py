"""``btctrace trace`` end to end with CliRunner: live against a loopback Esplora server, recorded,
replayed offline (same bytes), and bad input (one line, documented exit code, no traceback)."""

import pytest
from click.testing import CliRunner

from btctrace.cli import cli
from btctrace.errors import ExitCode
from btctrace.exports import OUTPUT_FILES
from btctrace.testing.server import EsploraServer, Fault


@pytest.fixture(scope="module")
def demo_server(demo):
    with EsploraServer(demo.store) as server:
        yield server


def run(*args, env=None):
    return CliRunner().invoke(cli, [str(a) for a in args], env=env, prog_name="btctrace")


def assert_one_line_error(result, code, *fragments):
    assert result.exit_code == code, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("btctrace: error: "), result.stderr
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0]


def test_record_then_offline_gives_byte_identical_outputs(demo, demo_server, tmp_path):
    cassette = tmp_path / "case1.json"
    live = run("trace", demo.ransom_address, "--direction", "forward", "--hops", 6, "--out", tmp_path / "live",
               "--record", cassette, "--api-url", demo_server.api_url)
    assert live.exit_code == 0, live.output
    assert f"Wrote {len(OUTPUT_FILES) + 1} files to" in live.stdout and cassette.exists()
    offline = run("trace", demo.ransom_address, "--direction", "forward", "--hops", 6, "--out", tmp_path / "replay",
                  "--offline", cassette)
    assert offline.exit_code == 0, offline.output
    for name in OUTPUT_FILES:
        assert (tmp_path / "live" / name).read_bytes() == (tmp_path / "replay" / name).read_bytes(), name
    assert "offline from" in offline.stdout


def test_api_url_comes_from_the_environment(demo, demo_server, tmp_path):
    result = run("trace", demo.ransom_address, "--hops", 1, "--out", tmp_path / "o",
                 env={"BTCTRACE_API_URL": demo_server.api_url})
    assert result.exit_code == 0, result.output
    assert demo_server.api_url in result.stdout


def test_offline_replay_of_a_request_not_recorded_exits_5(demo, demo_server, tmp_path):
    cassette = tmp_path / "short.json"
    assert run("trace", demo.ransom_address, "--hops", 1, "--out", tmp_path / "a", "--record", cassette,
               "--api-url", demo_server.api_url).exit_code == 0
    result = run("trace", demo.ransom_address, "--hops", 3, "--out", tmp_path / "b", "--offline", cassette)
    assert_one_line_error(result, ExitCode.OFFLINE_MISS, "has no response for GET", str(cassette))


def test_outputs_are_not_overwritten_without_force(demo, demo_server, tmp_path):
    args = ["trace", demo.ransom_address, "--hops", 1, "--out", tmp_path / "o", "--api-url", demo_server.api_url]
    assert run(*args).exit_code == 0
    assert_one_line_error(run(*args), ExitCode.OUTPUT, "--force")
    assert run(*args, "--force").exit_code == 0


def test_failed_recording_keeps_what_was_fetched_and_resumes(demo, demo_server, tmp_path):
    demo_server.faults.append(Fault(r"/outspends", status=400, body="Invalid hex string", times=1))
    cassette = tmp_path / "partial.json"
    args = ["trace", demo.ransom_address, "--hops", 2, "--record", cassette, "--api-url", demo_server.api_url]
    result = run(*args, "--out", tmp_path / "o")
    assert_one_line_error(result, ExitCode.PROVIDER, "HTTP 400", "Invalid hex string", "--resume")
    journal = tmp_path / "partial.json.journal"
    assert not cassette.exists() and demo.ransom_address in journal.read_text()
    assert_one_line_error(run(*args, "--out", tmp_path / "o2"), ExitCode.USAGE, "--resume")
    before = len(demo_server.requests)
    resumed = run(*args, "--out", tmp_path / "o3", "--resume")
    assert resumed.exit_code == 0, resumed.output
    again = demo_server.requests[before:]
    assert not any(f"/address/{demo.ransom_address}" in path for path in again), "journalled answers are reused"
    assert cassette.exists() and not journal.exists()


@pytest.mark.parametrize("seed, code, fragment", [
    ("15JFh88FcE4WL6qeMLgX5VEAFCbRXjc9fR", ExitCode.USAGE, "checksum"),
    ("tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", ExitCode.USAGE, "testnet"),
    ("6a798026d44af27dbacd28ea21462808df8deca51794cec80c1b59e07ef924a", ExitCode.USAGE, "64 hexadecimal"),
    ("6a798026d44af27dbacd28ea21462808df8deca51794cec80c1b59e07ef924a2:x", ExitCode.USAGE, "vout"),
])
def test_bad_seeds_fail_with_one_line(tmp_path, seed, code, fragment):
    assert_one_line_error(run("trace", seed, "--out", tmp_path / "o"), code, fragment)
    assert not (tmp_path / "o").exists()


def test_unknown_txid_exits_4(demo_server, tmp_path):
    result = run("trace", "ab" * 32, "--out", tmp_path / "o", "--api-url", demo_server.api_url)
    assert_one_line_error(result, ExitCode.PROVIDER, "not found")


@pytest.mark.parametrize("args, fragment", [
    (["--min-value", "0.000000001"], "--min-value"),
    (["--since", "yesterday"], "--since"),
    (["--record", "a.json", "--offline", "b.json"], "cannot be used together"),
    (["--rate", "0"], "--rate"),
])
def test_bad_options_fail_with_one_line(demo, tmp_path, args, fragment):
    result = run("trace", demo.ransom_address, "--out", tmp_path / "o", *args)
    assert_one_line_error(result, ExitCode.USAGE, fragment)


def test_corrupt_cassette_fails_clearly(demo, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2")
    assert_one_line_error(run("trace", demo.ransom_address, "--out", tmp_path / "o", "--offline", bad),
                          ExitCode.OFFLINE_MISS, "not readable JSON")


def test_backward_trace_runs(demo, demo_server, tmp_path):
    result = run("trace", demo.ransom_address, "--direction", "backward", "--hops", 3, "--out", tmp_path / "b",
                 "--api-url", demo_server.api_url)
    assert result.exit_code == 0, result.output
    assert "backward" in result.stdout


def test_help_has_an_example():
    result = run("trace", "--help")
    assert result.exit_code == 0 and "Examples:" in result.output and "--offline" in result.output


@pytest.mark.parametrize("args, fragment", [
    ([], "Missing argument"),
    (["15JFh88FcE4WL6qeMLgX5VEAFCbRXjc9fr", "--hops", "many", "--out", "o"], "--hops"),
    (["15JFh88FcE4WL6qeMLgX5VEAFCbRXjc9fr", "--direction", "up", "--out", "o"], "--direction"),
    (["15JFh88FcE4WL6qeMLgX5VEAFCbRXjc9fr", "--bogus"], "--bogus"),
])
def test_click_usage_errors_are_one_line_too(args, fragment):
    assert_one_line_error(run("trace", *args), ExitCode.USAGE, fragment, "btctrace trace --help")


def test_mainnet_address_is_refused_on_testnet(tmp_path):
    result = run("trace", "15JFh88FcE4WL6qeMLgX5VEAFCbRXjc9fr", "--network", "testnet", "--out", tmp_path / "o")
    assert_one_line_error(result, ExitCode.USAGE, "mainnet address, not a testnet one")


def test_address_without_history_still_writes_every_output_and_says_why(demo_server, builder, tmp_path):
    lonely = builder.address("p2wpkh")
    result = run("trace", lonely, "--out", tmp_path / "o", "--api-url", demo_server.api_url)
    assert result.exit_code == 0, result.output
    assert "Traced 0 transactions" in result.stdout and "no transactions" in result.stdout
    assert all((tmp_path / "o" / name).exists() for name in OUTPUT_FILES)


def test_cluster_change_flag_marks_change_merges(demo, demo_server, tmp_path):
    import json

    result = run("trace", demo.ransom_address, "--hops", 20, "--cluster-change", "--out", tmp_path / "o",
                 "--api-url", demo_server.api_url)
    assert result.exit_code == 0, result.output
    clustering = json.loads((tmp_path / "o" / "trace.json").read_text())["clustering"]
    assert clustering["change_used"] is True
    assert {m["rule"] for m in clustering["merges"]} == {"common_input", "change"}


def test_chart_options_change_the_charts_not_the_data(demo, demo_server, tmp_path):
    base = ["trace", demo.ransom_address, "--hops", 20, "--api-url", demo_server.api_url]
    assert run(*base, "--out", tmp_path / "a").exit_code == 0
    result = run(*base, "--out", tmp_path / "b", "--chart-by-time", "--sankey-method", "haircut")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "a" / "endpoints.csv").read_bytes() == (tmp_path / "b" / "endpoints.csv").read_bytes()
    assert (tmp_path / "a" / "flow.svg").read_bytes() != (tmp_path / "b" / "flow.svg").read_bytes()
    assert (tmp_path / "a" / "sankey.svg").read_bytes() != (tmp_path / "b" / "sankey.svg").read_bytes()


def test_an_output_seed_that_does_not_exist_or_carries_nothing_is_one_line_with_exit_2(demo, demo_server, tmp_path):
    txid = demo.store.address_txids(demo.ransom_address)[-1]
    outputs = len(demo.store.tx(txid)["vout"])
    beyond = run("trace", f"{txid}:{outputs}", "--api-url", demo_server.api_url, "--out", tmp_path / "a", "-q")
    assert_one_line_error(beyond, ExitCode.USAGE, f"its transaction has {outputs} outputs (vout 0 to {outputs - 1})")
    huge = run("trace", f"{txid}:{'9' * 25}", "--api-url", demo_server.api_url, "--out", tmp_path / "b", "-q")
    assert_one_line_error(huge, ExitCode.USAGE, "at most 4,294,967,295")


def test_the_summary_says_what_was_checked(demo, demo_server, tmp_path):
    result = run("trace", demo.ransom_address, "--hops", 3, "--api-url", demo_server.api_url, "--out", tmp_path / "o")
    assert result.exit_code == 0, result.output
    line = next(line for line in result.stdout.splitlines() if line.startswith("Explorer answers checked"))
    assert "(mainnet)" in line and "money_conserved" in line and "prevout_agrees" in line and "0 answers refused" in line


def test_a_second_recording_to_the_same_cassette_is_refused_while_the_first_runs(demo, demo_server, tmp_path):
    from btctrace.cache.journal import Journal, journal_path_for

    cassette = tmp_path / "c.json"
    running = Journal(journal_path_for(cassette))  # what a first recording holds while it runs
    try:
        for extra in ([], ["--resume"]):
            second = run("trace", demo.ransom_address, "--api-url", demo_server.api_url, "--out", tmp_path / "o",
                         "--record", cassette, "-q", *extra)
            assert_one_line_error(second, ExitCode.USAGE, "another btctrace is recording to this cassette")
    finally:
        running.finish()
    third = run("trace", demo.ransom_address, "--hops", 2, "--api-url", demo_server.api_url, "--out", tmp_path / "o",
                "--record", cassette, "-q")
    assert third.exit_code == 0, third.output
    assert not journal_path_for(cassette).exists()


@pytest.mark.parametrize("args, message", [
    (["--since", "2024-06-01", "--until", "2024-05-01"], "is after --until"),
    (["--rate", "1e-300"], "--rate must be from 0.001"),
    (["--rate", "nan"], "--rate must be from 0.001"),
])
def test_options_out_of_range_are_one_line(demo, tmp_path, args, message):
    result = run("trace", demo.ransom_address, "--out", tmp_path / "o", *args, "--offline", tmp_path / "none.json")
    assert_one_line_error(result, ExitCode.USAGE, message)


def test_recording_over_an_existing_cassette_needs_force(demo, tmp_path):
    """Issue 32: --record once overwrote an earlier run's evidence with exit 0."""
    from tests.cli.conftest import invoke

    cassette = tmp_path / "evidence.json"
    cassette.write_text('{"interactions": []}\n')
    result = invoke("trace", demo.ransom_address, "--out", tmp_path / "out", "--record", cassette, "-q")
    assert result.exit_code == 2 and "exists: it is the evidence of an earlier run" in result.output
    assert "--force" in result.output and len(result.output.strip().splitlines()) == 1
    assert cassette.read_text() == '{"interactions": []}\n', "the evidence is untouched"


def test_credentials_in_the_explorer_url_are_used_and_never_written(demo, tmp_path):
    """Issue 32: ``--api-url http://user:password@host/api`` wrote the password into the
    cassette, manifest, trace.json, report, link_table.csv, GraphML and Cytoscape JSON."""
    import base64

    from btctrace.testing.server import EsploraServer

    with EsploraServer(demo.store) as server:
        secret_url = server.api_url.replace("http://", "http://investigator:S3cr3t-pa55@")
        fallback = server.api_url.replace("http://", "http://other:An0ther-pa55@").replace("127.0.0.1", "localhost")
        result = run("trace", demo.ransom_address, "--hops", 3, "--out", tmp_path / "out", "--record",
                     tmp_path / "c.json", "--api-url", secret_url, "--api-url", fallback, "--cross-check", 2,
                     "--no-store")
        assert result.exit_code == 0, result.output
        sent = set(server.authorizations)
    assert sent == {"Basic " + base64.b64encode(b"investigator:S3cr3t-pa55").decode(),
                    "Basic " + base64.b64encode(b"other:An0ther-pa55").decode()}
    written = [tmp_path / "c.json", *sorted((tmp_path / "out").rglob("*"))]
    for path in (p for p in written if p.is_file()):
        data = path.read_bytes()
        for secret in (b"S3cr3t", b"An0ther", b"investigator", b"other:", base64.b64encode(b"investigator")):
            assert secret not in data, f"{secret!r} in {path.name}"
    for secret in ("S3cr3t", "An0ther", "investigator"):
        assert secret not in result.output
    assert server.api_url in (tmp_path / "out" / "manifest.json").read_text()


def test_an_explorer_url_with_a_query_is_refused_without_printing_its_secret(demo, tmp_path):
    result = run("trace", demo.ransom_address, "--out", tmp_path / "out", "--no-store",
                 "--api-url", "https://esplora.example/api?api_key=S3cr3t")
    assert_one_line_error(result, 2, "not an http(s) base URL")
    assert "S3cr3t" not in result.output
