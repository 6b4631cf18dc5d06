"""``btctrace search``: which cases in the store touched an address or transaction."""

from __future__ import annotations

import click

from btctrace.cli.terminal import say
from btctrace.cli.options import store_option
from btctrace.store import open_store

__all__ = ["search_command"]


@click.command("search")
@click.argument("items", nargs=-1, required=True)
@store_option
def search_command(items, store) -> None:
    """List every case that touched ITEMS (addresses or txids), with hop, role and cluster.

    \b
    Example:
      btctrace search bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh
    """
    opened = open_store(store)
    try:
        found = {item: opened.touching(item) for item in items}
    finally:
        opened.close()
    for item, touches in found.items():
        say(f"{item}: {len(touches)} case(s)" if touches else f"{item}: in no case")
        for touch in touches:
            hop = f"hop {touch.hop}" if touch.hop is not None else "hop ?"
            cluster = f", cluster {touch.cluster}" if touch.cluster else ""
            role = f", {touch.role}" if touch.kind == "address" else ""
            say(f"  {touch.case_id} ({touch.title}): {touch.kind}, {hop}{role}{cluster}; "
                       f"registered {touch.registered_at}")
