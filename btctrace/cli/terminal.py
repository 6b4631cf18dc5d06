"""What the command line prints: every line through :func:`say`, which shows each control
character of the text escaped (``\\x1b``, ``\\x07``, ``\\u202e``) instead of sending it. Labels,
case ids and notes come from outside: a tag label carrying OSC or CSI sequences could otherwise
retitle the window, write the clipboard (OSC 52) or hide text (issue 32). Newlines and tabs
stay; the error boundary (:mod:`btctrace.cli`) escapes its one line the same way."""

from __future__ import annotations

import re
from typing import Any

import click

__all__ = ["terminal_text", "say"]

# C0 controls but tab and newline, DEL, C1 controls, and the bidirectional overrides and isolates
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal_text(text: str) -> str:
    """*text* with every control character written as its escape, visible and inert."""
    return _CONTROL.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), text)


def say(text: Any = "", **options: Any) -> None:
    """``click.echo`` of *text* made inert for a terminal (:func:`terminal_text`)."""
    click.echo(terminal_text(str(text)), **options)
