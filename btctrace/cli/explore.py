"""``btctrace explore``: open an output folder's interactive explorer in the browser."""

from __future__ import annotations

import webbrowser
from pathlib import Path

import click

from btctrace.cli.terminal import say
from btctrace.exports.explorer import explorer_file

__all__ = ["explore_command"]


@click.command("explore")
@click.argument("out_dir", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--print-path", is_flag=True, help="Print the page's path instead of opening a browser.")
def explore_command(out_dir: Path, print_path: bool) -> None:
    """Open OUT_DIR/explorer.html: the trace's graph, offline, with the evidence of every node
    and edge (click), search, filters, the path from the seed with the taint per method, and
    analyst notes. The page asks the network for nothing.

    \b
    Example:
      btctrace explore out/demo-ransom
    """
    page = explorer_file(out_dir)
    if print_path or not webbrowser.open(page.as_uri()):
        say(str(page))
