"""The ``btctrace`` command line: the root group and the single error boundary.

Deliberate errors (:class:`~btctrace.errors.BtctraceError`) become one line on stderr and the
exit code the error carries (listed in the README). Anything else is a bug and shows a
traceback. ``BTCTRACE_RAISE_ERRORS=1`` re-raises deliberate errors too, for debugging.
"""

from __future__ import annotations

import os
import signal
from typing import Any

import click

from btctrace.version import __version__
from btctrace.cli.case import case_group
from btctrace.cli.cluster import cluster_command
from btctrace.cli.explain import explain_command
from btctrace.cli.extract import extract_command
from btctrace.cli.explore import explore_command
from btctrace.cli.search import search_command
from btctrace.cli.tags import tags_group
from btctrace.cli.taint import taint_command
from btctrace.cli.trace import trace_command
from btctrace.cli.verify import verify_command
from btctrace.errors import BtctraceError, ExitCode

__all__ = ["cli", "main"]


class _ReportedError(click.ClickException):
    """A BtctraceError on its way out: one line, its own exit code."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code

    def show(self, file: Any = None) -> None:
        # Control characters from the input (a pasted \x1e, a newline in a file name) are
        # shown escaped, so the error stays one line.
        line = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in self.message)
        click.echo(f"btctrace: error: {line}", err=True)


class _BoundaryGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BtctraceError as exc:
            if os.environ.get("BTCTRACE_RAISE_ERRORS"):
                raise
            raise _ReportedError(exc.user_message, int(exc.exit_code)) from None
        except click.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx is not None else "btctrace"
            raise _ReportedError(f"{exc.format_message()} (see {where} --help)", int(ExitCode.USAGE)) from None
        except KeyboardInterrupt:
            raise _ReportedError("interrupted (a --record cassette keeps every response fetched so far)",
                                 int(ExitCode.INTERRUPTED)) from None


@click.group(cls=_BoundaryGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="btctrace")
def cli() -> None:
    """Trace ransom and extortion payments in Bitcoin, with replayable evidence.

    \b
    Examples:
      btctrace case run cases/demo-ransom.toml
      btctrace trace bc1q... --hops 6 --out out/case1 --record cassettes/case1.json
      btctrace trace bc1q... --hops 6 --out out/case1-replay --offline cassettes/case1.json
    """


cli.add_command(trace_command)
cli.add_command(case_group)
cli.add_command(verify_command)
cli.add_command(explain_command)
cli.add_command(taint_command)
cli.add_command(extract_command)
cli.add_command(cluster_command)
cli.add_command(explore_command)
cli.add_command(tags_group)
cli.add_command(search_command)


def _terminate(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt  # SIGTERM ends a trace like Ctrl-C: recordings keep their journal


def main() -> None:
    """Console-script entry point."""
    signal.signal(signal.SIGTERM, _terminate)
    cli(prog_name="btctrace")
