"""Option helpers shared by the command modules."""

from __future__ import annotations

from typing import Callable, TypeVar

import click

from btctrace.errors import UsageProblem
from btctrace.store.database import STORE_ENV

__all__ = ["convert", "store_option"]

store_option = click.option(
    "--store", "store", envvar=STORE_ENV, show_envvar=True, metavar="PATH|URL",
    help="The investigation store: an SQLite file or a postgresql://user@host/db URL "
         "[default: ~/.local/share/btctrace/store.sqlite].")

T = TypeVar("T")


def convert(option: str, parse: Callable[[str], T], value: str | None) -> T | None:
    """Parse an option value; a ValueError becomes a UsageProblem naming the option."""
    if value is None:
        return None
    try:
        return parse(value)
    except ValueError as exc:
        raise UsageProblem(f"{option}: {exc}") from None
