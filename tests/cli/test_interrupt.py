"""A recording killed mid-trace (SIGKILL, SIGTERM or Ctrl-C) loses at most the in-flight
response, and ``--resume`` ends with the same outputs as an uninterrupted run, fetching again
nothing it already had."""

import json
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from btctrace.cli import cli
from btctrace.errors import ExitCode
from btctrace.exports import OUTPUT_FILES
from btctrace.testing.server import EsploraServer
from tests.conftest import EVIDENCE_BOUND_OUTPUTS, PROJECT_ROOT, comparable_cassette


def trace_args(seed, api_url, cassette, out):
    return ["trace", seed, "--hops", "20", "--workers", "2", "--record", str(cassette), "--api-url", api_url,
            "--out", str(out), "-q"]


def _default_sigint():
    """Ctrl-C as a terminal delivers it, even when the test session runs as a background job
    (which starts with SIGINT ignored, and a child would inherit that)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def wait_for_lines(path, count, process, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.read_text().count("\n") >= count:
            return
        if process.poll() is not None:
            pytest.fail(f"the trace ended before it could be interrupted: {process.communicate()}")
        time.sleep(0.02)
    pytest.fail("the journal did not grow")


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT], ids=lambda s: s.name)
def test_interrupted_recording_resumes_to_identical_outputs(demo, tmp_path, signum):
    with EsploraServer(demo.store) as server:
        reference = CliRunner().invoke(cli, trace_args(demo.ransom_address, server.api_url, tmp_path / "ref.json",
                                                       tmp_path / "ref"))
        assert reference.exit_code == 0, reference.output
        server.delay = 0.03
        cassette, out = tmp_path / "case.json", tmp_path / "out"
        process = subprocess.Popen([sys.executable, "-m", "btctrace",
                                    *trace_args(demo.ransom_address, server.api_url, cassette, out)],
                                   cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   preexec_fn=_default_sigint)
        journal = tmp_path / "case.json.journal"
        wait_for_lines(journal, 15, process)
        process.send_signal(signum)
        _, stderr = process.communicate(timeout=60)
        if signum == signal.SIGKILL:
            assert process.returncode == -signal.SIGKILL
        else:
            assert process.returncode == ExitCode.INTERRUPTED
            assert stderr.count("\n") == 1 and "--resume" in stderr and "Traceback" not in stderr
        assert journal.exists() and not cassette.exists()
        kept = {json.loads(line)["request"]["uri"] for line in journal.read_text().splitlines() if line.endswith("}")}
        assert len(kept) >= 15
        server.delay = 0.0
        before = len(server.requests)
        resumed = CliRunner().invoke(cli, [*trace_args(demo.ransom_address, server.api_url, cassette, out), "--resume"])
        assert resumed.exit_code == 0, resumed.output
        asked_again = {f"http://{server.api_url.split('/')[2]}{path}" for path in server.requests[before:]}
    assert not kept & asked_again, "nothing journalled is fetched again"
    assert not journal.exists()
    for name in sorted(set(OUTPUT_FILES) - EVIDENCE_BOUND_OUTPUTS):
        assert (out / name).read_bytes() == (tmp_path / "ref" / name).read_bytes(), name
    assert comparable_cassette(cassette.read_text()) == comparable_cassette((tmp_path / "ref.json").read_text())
