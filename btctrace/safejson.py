"""JSON from outside (explorer answers, cassettes, journals, output folders), with its nesting
bounded: Python's decoder refuses to nest deeper than its recursion limit (about 1,000 levels,
where Esplora's deepest answer nests 5) by raising :class:`RecursionError`; here that is a
:class:`ValueError` like any other undecodable text, so callers refuse it as bad data."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["loads"]


def loads(text: str | bytes, **kwargs: Any) -> Any:
    """:func:`json.loads`, with too deep a nesting reported as :class:`ValueError`."""
    try:
        return json.loads(text, **kwargs)
    except RecursionError:
        raise ValueError("JSON nested too deeply (refused)") from None
