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
        verdict = "FAIL" if not check.ok else "NOTE" if check.stated_only else "OK"
        say(f"{verdict:<5} {check.subject}: {check.detail}")
    outputs = [c for c in report.checks if c.subject.startswith("output ")]
    if report.ok:
        stated = sum(1 for c in report.checks if c.stated_only)
        say(f"VERIFIED: the evidence is unchanged and all {len(outputs)} outputs are byte-identical on rerun"
            + (f"; {stated} statement(s) of the manifest nothing here re-derives are marked NOTE" if stated else "")
            + ".")
        return
    failed = sum(1 for c in report.checks if not c.ok)
    say(f"NOT VERIFIED: {failed} check(s) failed.")
    ctx.exit(int(ExitCode.NOT_VERIFIED))


@click.command("verify")
@click.argument("out_dir", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--signer-key", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="The Ed25519 public key the folder must be signed with (btctrace sign).")
@click.pass_context
def verify_command(ctx: click.Context, out_dir: Path, signer_key: Path | None) -> None:
    """Rerun OUT_DIR's trace offline from its cassette and report, file by file, whether the
    outputs are byte-identical; first check that the case file, tags and cassette are unchanged.
    Exit code 0 only if everything matches (8 otherwise).

    \b
    Examples:
      btctrace verify out/demo-ransom
      btctrace verify out/demo-ransom --signer-key examiner.pub
    """
    render_report(ctx, verify_outputs(out_dir, signer_key=signer_key))
