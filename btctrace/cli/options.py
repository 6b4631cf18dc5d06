"""Option helpers shared by the command modules."""

from __future__ import annotations

from typing import Callable, TypeVar

from btctrace.errors import UsageProblem

__all__ = ["convert"]

T = TypeVar("T")


def convert(option: str, parse: Callable[[str], T], value: str | None) -> T | None:
    """Parse an option value; a ValueError becomes a UsageProblem naming the option."""
    if value is None:
        return None
    try:
        return parse(value)
    except ValueError as exc:
        raise UsageProblem(f"{option}: {exc}") from None
