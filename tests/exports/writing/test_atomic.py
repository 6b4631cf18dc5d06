"""Writes stay in the output folder: temporary file then rename, never through a link or into a
FIFO; a failed write (charts included) is exit 7 in one line; a run that fails part-way leaves a
folder marked incomplete that verify refuses."""

import errno
import os

import pytest

from btctrace.errors import ExitCode, OutputError
from btctrace.exports.writing.atomic import INCOMPLETE_MARKER, write_text
from tests.cli.conftest import DEMO_CASE, invoke


def test_a_write_replaces_the_file_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "trace.json"
    target.write_text("old")
    write_text(target, "new")
    assert target.read_text() == "new" and sorted(p.name for p in tmp_path.iterdir()) == ["trace.json"]


def test_a_symbolic_link_is_never_written_through(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("precious")
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "trace.json").symlink_to(outside)
    (folder / "report.html").symlink_to(tmp_path / "dangling")
    for name in ("trace.json", "report.html"):
        with pytest.raises(OutputError, match="symbolic link") as raised:
            write_text(folder / name, "x")
        assert raised.value.exit_code == ExitCode.OUTPUT
    assert outside.read_text() == "precious" and not (tmp_path / "dangling").exists()


@pytest.mark.parametrize("force", [False, True])
def test_a_run_refuses_an_output_folder_holding_a_link_or_a_fifo_named_like_an_output(tmp_path, force):
    folder = tmp_path / "out"
    folder.mkdir()
    outside = tmp_path / "victim.txt"
    outside.write_text("keep me")
    (folder / "trace.json").symlink_to(outside)
    os.mkfifo(folder / "graph.gexf")
    result = invoke("case", "run", DEMO_CASE, "--out", folder, "-q", *(["--force"] if force else []))
    assert result.exit_code == ExitCode.OUTPUT, result.output
    assert len(result.stderr.strip().splitlines()) == 1 and "not a regular file" in result.stderr
    assert outside.read_text() == "keep me"


def test_a_chart_that_cannot_be_written_is_exit_7_in_one_line_and_the_folder_marked_incomplete(tmp_path, monkeypatch):
    from matplotlib.figure import Figure

    out = tmp_path / "out"
    assert invoke("case", "run", DEMO_CASE, "--out", out, "-q").exit_code == 0

    def disk_full(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Figure, "savefig", disk_full)  # the forked chart process inherits it
    result = invoke("case", "run", DEMO_CASE, "--out", out, "-q", "--force")
    assert result.exit_code == ExitCode.OUTPUT, result.output
    line = result.stderr.strip()
    assert "\n" not in line and "No space left on device" in line and "flow.svg" in line
    assert "Traceback" not in result.output
    assert (out / INCOMPLETE_MARKER).exists() and not (out / "manifest.json").exists()
    assert not [p for p in out.iterdir() if p.name.endswith(".part")], "no temporary file is left"
    verdict = invoke("verify", out)
    assert verdict.exit_code == ExitCode.NOT_VERIFIED and "no manifest" in verdict.output
