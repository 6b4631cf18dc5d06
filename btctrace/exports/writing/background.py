"""Exports written in forked children, beside the parent: the two cores write at once, and what
a group of exports builds and lets go is returned to the system when its child ends (the parent's
heap would otherwise keep every export's fragments: at 100,000 transactions the resident size
crept from 1.4 to 2.4 GB over the exports; issue 18). Where fork is unavailable (Windows) each
group runs in the parent, at once. The files written are the same either way.
"""

from __future__ import annotations

import multiprocessing
from typing import Callable

from dataclasses import dataclass

from btctrace.errors import ExitCode, ExportFailed, ExportStopped, OutputError

__all__ = ["AFTER_THE_CHILDREN", "ExportStatus", "ExportProgress", "ExportTally", "in_background", "wait_all"]


@dataclass(frozen=True)
class ExportStatus:
    """How far the exports are, for a progress line: *done* of *total* files written, the
    last group finished being *what*."""

    done: int
    total: int
    what: str


ExportProgress = Callable[[ExportStatus], None]


class ExportTally:
    """Files written so far, told to *progress* (when given) as each group finishes."""

    def __init__(self, progress: ExportProgress | None, total: int) -> None:
        self.progress, self.total, self.done = progress, total, 0

    def add(self, what: str, files: int) -> None:
        self.done += files
        if self.progress is not None:
            self.progress(ExportStatus(self.done, self.total, what))

AFTER_THE_CHILDREN = ("report.html", "manifest.json")  # written once every child has ended well


def _report_errors(target: Callable[..., None], sender, *args: object) -> None:
    """Run *target* in the child; send back the one-line error of a failed write (a bug still
    shows its traceback there and a non-zero exit code)."""
    try:
        target(*args)
    except OutputError as exc:
        sender.send((exc.path, exc.message))
        raise SystemExit(ExitCode.OUTPUT) from None


def in_background(what: str, target: Callable[..., None], *args: object,
                  files: tuple[str, ...] = (), tally: ExportTally | None = None) -> Callable[[], None]:
    """Start ``target(*args)`` (*what*: its name in an error; *files*: what it writes) in a
    forked child and return the function that waits for it (and adds *files* to *tally*). A write the child could not make is
    an :class:`OutputError` here too (exit 7, one line); a child the system stopped (killed for
    memory) an :class:`ExportStopped` naming the files not written (exit 7, one line)."""
    if "fork" not in multiprocessing.get_all_start_methods():
        target(*args)
        if tally is not None:
            tally.add(what, len(files))
        return lambda: None
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_report_errors, args=(target, sender, *args), name=f"btctrace-{what}")
    child.start()
    sender.close()

    def wait() -> None:
        child.join()
        try:
            path, message = receiver.recv() if receiver.poll() else (None, "")
        except EOFError:  # the child ended without a word: nothing failed to write
            path = None
        receiver.close()
        if path is not None:
            raise OutputError(path, message.removeprefix(f"cannot write {path}: "))
        if child.exitcode is not None and child.exitcode < 0:  # stopped by a signal: not a bug of ours
            raise ExportStopped(what, -child.exitcode, [*files, *AFTER_THE_CHILDREN])
        if child.exitcode != 0:  # the child printed its traceback: a bug, said in one line here
            raise ExportFailed(what, child.exitcode, [*files, *AFTER_THE_CHILDREN])
        if tally is not None:
            tally.add(what, len(files))
    return wait


def wait_all(waits: list[Callable[[], None]]) -> None:
    """Wait for every child (none is left writing), then raise the first failure."""
    failure: BaseException | None = None
    for wait in waits:
        try:
            wait()
        except (OutputError, ExportStopped, ExportFailed) as exc:
            failure = failure or exc
    if failure is not None:
        raise failure
