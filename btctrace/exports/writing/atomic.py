"""Every output file is written the same way: to a temporary file in the output folder, then
renamed into place. A rename replaces a name, never follows it, so nothing is written through a
symbolic link or outside the folder; a name that is a link, a folder, a FIFO or a device is
refused with one line. A reader never sees half a file.

A folder being written holds :data:`INCOMPLETE_MARKER` (and no manifest) until the run has
written every output and its manifest: a run that fails part-way leaves a folder marked
incomplete, which ``btctrace verify`` refuses, never a mix it could accept.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from typing import Callable, Iterable, Iterator

from btctrace.errors import OutputError

__all__ = ["MANIFEST_NAME", "SIGNATURE_NAME", "INCOMPLETE_MARKER", "check_target", "output_subfolder", "write_atomically", "write_text", "write_lines", "write_pieces", "begin_writing", "finish_writing"]

MANIFEST_NAME = "manifest.json"  # written last, by btctrace.manifest
SIGNATURE_NAME = "signature.json"  # an examiner's signature of the manifest (btctrace.signing)
INCOMPLETE_MARKER = "INCOMPLETE"
_MARKER_TEXT = ("btctrace was writing this folder and did not finish: its files are not a complete set of outputs. "
                "Run the trace again (with --force).\n")


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"),
                       (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device")):
        if test(mode):
            return name
    return "not a regular file"


def check_target(path: Path) -> None:
    """Refuse an output name that exists as anything but a regular file (not following links)."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise OutputError(str(path), exc.strerror or str(exc)) from exc
    if not stat.S_ISREG(mode):
        raise OutputError(str(path), f"it is {_kind(mode)}, not a regular file: refused",
                          "btctrace writes only regular files inside the output folder; remove it or choose another --out")


def output_subfolder(folder: Path) -> Path:
    """*folder*, a folder btctrace writes inside an output folder (``taint/``), created when
    absent; refused when it is a symbolic link or anything but a folder, so nothing is written
    through a link planted in a received folder (issue 32: ``taint`` followed ``DIR/taint``)."""
    try:
        mode = os.lstat(folder).st_mode
    except FileNotFoundError:
        try:
            folder.mkdir()
        except OSError as exc:
            raise OutputError(str(folder), exc.strerror or str(exc)) from exc
        return folder
    except OSError as exc:
        raise OutputError(str(folder), exc.strerror or str(exc)) from exc
    if not stat.S_ISDIR(mode):
        raise OutputError(str(folder), f"it is {_kind(mode)}, not a folder: refused",
                          "btctrace writes only inside the output folder; remove it, or give another folder")
    return folder


def write_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Run ``write(temporary_path)`` in *path*'s folder, then rename the result to *path*. Any
    OS error (disk full, permissions) is an :class:`OutputError` and leaves *path* as it was."""
    path = Path(path)
    check_target(path)
    try:
        handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
        os.close(handle)
    except OSError as exc:
        raise OutputError(str(path), exc.strerror or str(exc)) from exc
    temporary = Path(name)
    try:
        write(temporary)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise OutputError(str(path), exc.strerror or str(exc)) from exc
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str) -> None:
    write_atomically(path, lambda temporary: temporary.write_text(text, encoding="utf-8"))


_LINES_PER_WRITE = 4096


def write_lines(path: Path, lines: Iterable[str]) -> None:
    """Write *lines* (each without its newline) as they come, a few thousand at a time: a
    large export is streamed to disk, never held whole in memory as one text."""
    write_pieces(path, ("\n".join(chunk) + "\n" for chunk in _chunks(lines)))


_CHARACTERS_PER_WRITE = 1 << 20


def write_pieces(path: Path, pieces: Iterable[str]) -> None:
    """Write *pieces* of text (joined as they are, nothing added) as they come, about a megabyte
    at a time: a large export made piece by piece is never held whole in memory."""
    def write(temporary: Path) -> None:
        with open(temporary, "w", encoding="utf-8", newline="\n") as stream:
            held: list[str] = []
            size = 0
            for piece in pieces:
                held.append(piece)
                size += len(piece)
                if size >= _CHARACTERS_PER_WRITE:
                    stream.write("".join(held))
                    held, size = [], 0
            stream.write("".join(held))
    write_atomically(path, write)


def _chunks(lines: Iterable[str]) -> Iterator[list[str]]:
    chunk: list[str] = []
    for line in lines:
        chunk.append(line)
        if len(chunk) == _LINES_PER_WRITE:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def begin_writing(out_dir: Path) -> None:
    """Mark *out_dir* incomplete and remove its old manifest, before any output is replaced."""
    write_text(out_dir / INCOMPLETE_MARKER, _MARKER_TEXT)
    manifest = out_dir / MANIFEST_NAME
    check_target(manifest)
    try:
        manifest.unlink(missing_ok=True)
    except OSError as exc:
        raise OutputError(str(manifest), exc.strerror or str(exc)) from exc


def finish_writing(out_dir: Path) -> None:
    """Every output and the manifest are in place: the folder is complete."""
    try:
        (out_dir / INCOMPLETE_MARKER).unlink(missing_ok=True)
    except OSError as exc:
        raise OutputError(str(out_dir / INCOMPLETE_MARKER), exc.strerror or str(exc)) from exc
