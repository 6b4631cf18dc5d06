"""The crash-safe journal of a recording: every final answer appended as one fsync'd JSON line
the moment it arrives, so a run that dies loses nothing fetched (``--resume`` continues from it);
also the recording's lock. See :mod:`btctrace.cache.cassettes` for the cassette itself."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

from btctrace import safejson
from btctrace.cache.interactions import check_interaction
from btctrace.errors import CassetteError, OutputError, RecordingBusy
from btctrace.files import open_regular

__all__ = ["Journal", "journal_path_for"]


def journal_path_for(cassette_path: Path) -> Path:
    return cassette_path.with_name(cassette_path.name + ".journal")


class Journal:
    """Append-only JSON lines, one interaction each, flushed and fsync'd as it arrives.

    The journal is also the recording's lock: it is held with ``flock`` while open, so a second
    btctrace recording to the same cassette is refused with one line instead of interleaving
    answers. :meth:`finish` removes the file before letting the lock go, and a run that locked a
    journal another run has just removed opens the new one instead."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._stream = self._open_locked(path)
        except OSError as exc:
            raise OutputError(str(path), exc.strerror or str(exc)) from exc

    @staticmethod
    def _open_locked(path: Path):
        for _ in range(3):
            stream = open(path, "a", encoding="utf-8")  # noqa: SIM115 (closed in close())
            try:
                _try_lock(stream.fileno(), path)
                if os.stat(path).st_ino == os.fstat(stream.fileno()).st_ino:
                    return stream
            except FileNotFoundError:
                pass  # removed by a run that finished meanwhile: open the new one
            except BaseException:
                stream.close()
                raise
            stream.close()
        raise RecordingBusy(str(path))

    def finish(self) -> None:
        """The recording is saved: remove the journal, then let its lock go."""
        with self._lock:
            self.path.unlink(missing_ok=True)
            self._stream.close()

    def append(self, item: dict[str, Any]) -> None:
        line = json.dumps(item, sort_keys=True, ensure_ascii=False) + "\n"
        with self._lock:
            self._stream.write(line)
            self._stream.flush()
            os.fsync(self._stream.fileno())

    def close(self) -> None:
        with self._lock:
            self._stream.close()

    @staticmethod
    def read(path: Path) -> list[dict[str, Any]]:
        """The complete lines of a journal; a last line cut short by a crash is ignored."""
        items = []
        try:
            stream = open_regular(path)
        except (OSError, ValueError) as exc:
            raise CassetteError(str(path), f"the journal cannot be read ({exc})") from None
        with stream:
            for number, line in enumerate(stream):
                try:
                    item = safejson.loads(line)
                    check_interaction(path, number, item)
                except (ValueError, CassetteError):
                    if line.endswith("\n"):
                        raise CassetteError(str(path), f"journal line {number + 1} is corrupt") from None
                    break  # the in-flight line of a killed process
                items.append(item)
        return items


def _try_lock(descriptor: int, path: Path) -> None:
    """An exclusive, non-blocking lock (POSIX ``flock``; elsewhere none is taken)."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks here
        return
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise RecordingBusy(str(path)) from None
