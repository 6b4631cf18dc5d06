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

from importlib import import_module

from btctrace.version import __version__
from btctrace.errors import BtctraceError, ExitCode

__all__ = ["COMMANDS", "cli", "main"]

# name -> (module, attribute, the line --help shows): each command's module, and what it imports
# (pandas, NetworkX, requests), is loaded only when that command runs, so `btctrace --version` and
# `--help` answer at once. tests/cli/test_lazy.py checks each line against the command's own help.
COMMANDS = {
    "case": ("btctrace.cli.case", "case_group",
             "Run or check a case file (seeds, limits, tags and cassette of one investigation)."),
    "cluster": ("btctrace.cli.cluster", "cluster_command",
                "Cluster the addresses spending in EXPORT (bitcoin-etl / BigQuery transactions as JSON lines or "
                "Parquet) by the multi-input heuristic, CoinJoins excluded by btctrace's detectors."),
    "explain": ("btctrace.cli.explain", "explain_command",
                "Say why ADDRESS_A and ADDRESS_B are in one cluster: the shortest chain of transactions (with the "
                "rule and its source) that links them in a trace's output folder, or that none does."),
    "explore": ("btctrace.cli.explore", "explore_command",
                "Open OUT_DIR/explorer.html: the trace's graph, offline, with the evidence of every node and edge "
                "(click), search, filters, the path from the seed with the taint per method, and analyst notes."),
    "extract": ("btctrace.cli.extract", "extract_command",
                "Print every valid Bitcoin address in FILE (a ransom note, e-mail or chat log), one per line, "
                "checksums verified."),
    "search": ("btctrace.cli.search", "search_command",
               "List every case that touched ITEMS (addresses or txids), with hop, role and cluster."),
    "sign": ("btctrace.cli.sign", "sign_command",
             "Sign OUT_DIR's manifest (and taint/'s) with an examiner's Ed25519 key: signature.json, checked by "
             "btctrace verify."),
    "tags": ("btctrace.cli.tags", "tags_group",
             "Attributions in the store: TagPacks, sanctions lists, address lists, Ransomwhere."),
    "taint": ("btctrace.cli.taint", "taint_command",
              "Print where the tainted satoshis ended (endpoints: services, holdings, CoinJoins, limits) under "
              "poison, haircut, FIFO and LIFO, reconciled to the satoshi with fees; from a trace's output folder, "
              "without network."),
    "trace": ("btctrace.cli.trace", "trace_command",
              "Trace SEEDS (addresses, txids or txid:vout) and write trace.json, CSVs, GraphML and a flow chart."),
    "verify": ("btctrace.cli.verify", "verify_command",
               "Rerun OUT_DIR's trace offline from its cassette and report, file by file, whether the outputs are "
               "byte-identical; first check that the case file, tags and cassette are unchanged."),
}


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
    """The root group: commands loaded on first use (:data:`COMMANDS`), errors caught once."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attribute, _ = COMMANDS[name]
        return getattr(import_module(module), attribute)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list from :data:`COMMANDS`, shortened as click shortens a command's own
        help, no command module imported."""
        from click.utils import make_default_short_help

        limit = formatter.width - 6 - max(map(len, COMMANDS))
        with formatter.section("Commands"):
            formatter.write_dl([(name, make_default_short_help(COMMANDS[name][2], limit)) for name in sorted(COMMANDS)])

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


def _terminate(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt  # SIGTERM ends a trace like Ctrl-C: recordings keep their journal


def main() -> None:
    """Console-script entry point."""
    signal.signal(signal.SIGTERM, _terminate)
    cli(prog_name="btctrace")
