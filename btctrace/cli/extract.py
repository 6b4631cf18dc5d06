"""``btctrace extract``: the Bitcoin addresses in a ransom note, ready to seed a trace."""

from __future__ import annotations

import json
from pathlib import Path

import click

from btctrace.cli.terminal import say
from btctrace.files import NotRegularFile, open_regular
from btctrace.errors import UsageProblem
from btctrace.extract import read_note

__all__ = ["extract_command"]


@click.command("extract")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON: address, type, network, line, column.")
def extract_command(file: Path, as_json: bool) -> None:
    """Print every valid Bitcoin address in FILE (a ransom note, e-mail or chat log), one per line,
    checksums verified. Text shaped like an address that fails its checksum (a mistyped
    character) is named on standard error. Use - for standard input.

    \b
    Examples:
      btctrace extract note.txt
      btctrace extract note.txt --json
      btctrace trace $(btctrace extract note.txt | head -1) --out out/case1
    """
    try:
        if str(file) == "-":
            text = click.get_text_stream("stdin").read()
        else:
            with open_regular(file, "rb") as stream:
                text = stream.read().decode("utf-8", errors="replace")
    except OSError as exc:
        raise UsageProblem(f"cannot read {file}: {exc.strerror or exc}") from None
    except NotRegularFile as exc:
        raise UsageProblem(f"cannot read {exc}", "Give a text file, or - for standard input") from None
    note = read_note(text)
    if as_json:
        say(json.dumps([vars(f) for f in note.found], indent=1))
    else:
        for item in note.found:
            say(item.address)
    for rejected in note.rejected:  # on stderr: standard output stays the addresses, ready to seed a trace
        say(f"NOT AN ADDRESS (line {rejected.line}, column {rejected.column}): {rejected.text}: {rejected.reason}",
            err=True)
