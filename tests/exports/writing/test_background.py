"""Exports written in forked children (btctrace/exports/writing/background.py): the files are the same,
a failed write is one OutputError here, a bug is a RuntimeError, and no child is left writing."""

import time

import pytest

from btctrace.errors import ExitCode, ExportFailed, OutputError
from btctrace.exports.writing import background
from btctrace.exports.writing.atomic import write_text
from btctrace.exports.writing.background import in_background, wait_all


def _write(path, text, delay=0.0):
    time.sleep(delay)
    write_text(path, text)


def _refuse(path):
    raise OutputError(str(path), "No space left on device")


def _bug():
    raise ValueError("a bug")


def test_a_child_writes_its_files_and_the_parent_waits_for_them(tmp_path):
    wait = in_background("tables", _write, tmp_path / "a.csv", "written by the child\n", 0.2)
    wait()
    assert (tmp_path / "a.csv").read_text() == "written by the child\n"


def test_a_write_the_child_could_not_make_is_one_output_error_here(tmp_path):
    with pytest.raises(OutputError) as caught:
        in_background("tables", _refuse, tmp_path / "b.csv")()
    assert caught.value.path == str(tmp_path / "b.csv") and "No space left on device" in str(caught.value)


def test_a_bug_in_the_child_is_one_line_naming_the_group_and_the_files_not_written(capfd):
    with pytest.raises(ExportFailed, match="writing the charts failed in its child process") as caught:
        in_background("charts", _bug, files=("sankey.svg",))()
    assert caught.value.exit_code == ExitCode.OUTPUT and caught.value.not_written[0] == "sankey.svg"
    assert "not written: sankey.svg, report.html, manifest.json" in caught.value.message
    assert "ValueError: a bug" in capfd.readouterr().err, "the child's traceback is shown"


def test_every_child_is_waited_for_before_the_first_failure_is_raised(tmp_path):
    waits = [in_background("tables", _refuse, tmp_path / "b.csv"),
             in_background("graphs", _write, tmp_path / "late.gexf", "late\n", 0.5)]
    with pytest.raises(OutputError):
        wait_all(waits)
    assert (tmp_path / "late.gexf").read_text() == "late\n", "no child is left writing after the error"


def test_without_fork_the_group_runs_here_at_once(tmp_path, monkeypatch):
    monkeypatch.setattr(background.multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    wait = in_background("tables", _write, tmp_path / "c.csv", "here\n")
    assert (tmp_path / "c.csv").read_text() == "here\n"
    wait()


def _killed():
    import os
    import signal

    os.kill(os.getpid(), signal.SIGKILL)  # what the system does to a process it has no memory for


def test_a_child_the_system_kills_is_one_line_naming_the_files_not_written():
    from btctrace.errors import ExitCode, ExportStopped

    with pytest.raises(ExportStopped) as caught:
        in_background("flow chart", _killed, files=("flow.svg", "flow.png", "flow.pdf"))()
    error = caught.value
    assert error.exit_code == ExitCode.OUTPUT and "\n" not in error.user_message
    assert "SIGKILL, often the system out of memory" in error.user_message
    assert error.not_written == ["flow.svg", "flow.png", "flow.pdf", "report.html", "manifest.json"]
