"""Reading the files a user names (case files, TagPacks, cassettes, journals, exports to
cluster): regular files only. A FIFO would hang a read and ``/dev/zero`` would never end, so a
path is opened without blocking and refused unless it is a regular file. A text file may begin
with a byte-order mark (Notepad saves one): UTF-8's is dropped and UTF-16's decodes the file, so
the first line is read like any other (issue 32: a list saved with a BOM lost its first address).
Text from outside also loses lone surrogates, which no output encoding can hold, and NUL, which
PostgreSQL cannot store in text (each becomes U+FFFD)."""

from __future__ import annotations

import codecs
import os
import re
import stat
from pathlib import Path

__all__ = ["NotRegularFile", "open_regular", "read_regular_text", "clean_text"]

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_BYTE_ORDER_MARKS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


class NotRegularFile(ValueError):
    """The path names a FIFO, device, socket or folder."""

    def __init__(self, path: str | Path, mode: int) -> None:
        kind = "a folder" if stat.S_ISDIR(mode) else "a FIFO" if stat.S_ISFIFO(mode) else \
            "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a regular file"
        super().__init__(f"{path} is {kind}, not a regular file")


def open_regular(path: str | Path, mode: str = "r", encoding: str | None = "utf-8"):
    """Open *path* for reading, refusing (:class:`NotRegularFile`) anything but a regular
    file without ever blocking on it."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        file_mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(file_mode):
            raise NotRegularFile(path, file_mode)
        return os.fdopen(descriptor, mode, encoding=encoding if "b" not in mode else None)
    except BaseException:
        os.close(descriptor)
        raise


def read_regular_text(path: str | Path) -> str:
    """The text of a regular file: UTF-8, or the encoding its byte-order mark names (the mark
    itself dropped), line ends read as newlines as :func:`open` reads them. Undecodable bytes
    raise :class:`UnicodeDecodeError`."""
    with open_regular(path, "rb") as stream:
        data = stream.read()
    encoding = "utf-8"
    for mark, named in _BYTE_ORDER_MARKS:
        if data.startswith(mark):
            data, encoding = data[len(mark):], named
            break
    text = data.decode(encoding)
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def clean_text(text: str) -> str:
    """*text* with lone surrogates (from ``\\ud800``-style escapes) and NUL replaced by U+FFFD."""
    return _UNSTORABLE.sub("\ufffd", text)
