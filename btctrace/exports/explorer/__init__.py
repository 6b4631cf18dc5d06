"""The interactive case explorer (``explorer.html``): the trace in the browser, offline."""

from __future__ import annotations

from pathlib import Path

from btctrace.errors import UsageProblem
from btctrace.exports.explorer.data import explorer_document
from btctrace.exports.explorer.page import EXPLORER_NAME, explorer_page

__all__ = ["EXPLORER_NAME", "explorer_document", "explorer_page", "explorer_file"]


def explorer_file(out_dir: str | Path) -> Path:
    """The explorer page of an output folder, refused in one line when the folder has none (a
    run older than the explorer, or not a btctrace output folder)."""
    path = Path(out_dir) / EXPLORER_NAME
    if not path.is_file() or path.is_symlink():
        raise UsageProblem(f"{out_dir} has no {EXPLORER_NAME}",
                           "Give a btctrace output folder; rerun the trace (or `btctrace verify` it) to write one")
    return path.resolve()
