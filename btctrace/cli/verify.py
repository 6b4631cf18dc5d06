"""``btctrace verify``: check an output folder against its manifest by an offline rerun."""

from __future__ import annotations

from pathlib import Path

import click

from btctrace.cli.terminal import say
from btctrace.errors import ExitCode
from btctrace.verify import VerifyReport, verify_outputs

__all__ = ["verify_command", "render_report"]


def render_report(ctx: click.Context, report: VerifyReport) -> None:
    """Print one line per check, then the verdict; exit 8 unless everything matched."""
    for check in report.checks:
        say(f"{'OK' if check.ok else 'FAIL':<5} {check.subject}: {check.detail}")
    outputs = [c for c in report.checks if c.subject.startswith("output ")]
    if report.ok:
        say(f"VERIFIED: the evidence is unchanged and all {len(outputs)} outputs are byte-identical on rerun.")
        return
    failed = sum(1 for c in report.checks if not c.ok)
    say(f"NOT VERIFIED: {failed} check(s) failed.")
    ctx.exit(int(ExitCode.NOT_VERIFIED))


@click.command("verify")
@click.argument("out_dir", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.pass_context
def verify_command(ctx: click.Context, out_dir: Path) -> None:
    """Rerun OUT_DIR's trace offline from its cassette and report, file by file, whether the
    outputs are byte-identical; first check that the case file, tags and cassette are unchanged.
    Exit code 0 only if everything matches (8 otherwise).

    \b
    Example:
      btctrace verify out/demo-ransom
    """
    render_report(ctx, verify_outputs(out_dir))
