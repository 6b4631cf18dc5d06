"""Reading the files a user names (case files, TagPacks, cassettes, journals, exports to
cluster): regular files only. A FIFO would hang a read and ``/dev/zero`` would never end, so a
path is opened without blocking and refused unless it is a regular file. Text from outside also
loses lone surrogates, which no output encoding can hold."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

__all__ = ["NotRegularFile", "open_regular", "read_regular_text", "clean_text"]

_SURROGATE = re.compile("[\ud800-\udfff]")


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
    with open_regular(path) as stream:
        return stream.read()


def clean_text(text: str) -> str:
    """*text* with lone surrogates (from ``\\ud800``-style escapes) replaced by U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)
