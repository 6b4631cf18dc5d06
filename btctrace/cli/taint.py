"""``btctrace taint``: how much of the seed money reached where, under each taint method."""

from __future__ import annotations

from pathlib import Path

import click

from btctrace.cli.terminal import say
from btctrace.case import load_case
from btctrace.errors import UsageProblem
from btctrace.runner import TaintOutcome, run_taint
from btctrace.tracing.seeds import parse_seed
from btctrace.tracing.taint import METHODS
from btctrace.units import format_btc

__all__ = ["taint_command", "taint_lines"]


def taint_lines(outcome: TaintOutcome, methods: tuple[str, ...]) -> list[str]:
    report = outcome.report
    header = f"{'place':<64} {'reason':<15}" + "".join(f" {m + ' BTC':>18}" for m in methods)
    lines = [header]
    for row in report.rows:
        lines.append(f"{row.place:<64} {row.reason:<15}" + "".join(f" {format_btc(row.sats[m]):>18}" for m in methods))
    for name, attribute in (("fees", "fees"), ("seed", "seed"), ("absorbed (poison)", "absorbed")):
        lines.append(f"{name:<80}" + "".join(f" {format_btc(getattr(report.totals[m], attribute)):>18}" for m in methods))
    lines.extend(f"note: {note}" for note in report.notes)
    lines.append("reconciled: " + ", ".join(f"{m} {'yes' if report.totals[m].balanced else 'NO'}" for m in methods))
    lines.append(f"wrote {', '.join(str(f) for f in outcome.files)}")
    return lines


@click.command("taint")
@click.argument("out_dir", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--case", "case_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Use this case's output folder (out/<case id>) instead of OUT_DIR.")
@click.option("--method", type=click.Choice([*METHODS, "all"]), default="all", show_default=True)
@click.option("--seed", "seed_outputs", multiple=True, metavar="TXID:VOUT",
              help="Taint these traced outputs instead of everything the seeds received (repeatable).")
@click.option("--out", "write_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Where to write endpoints.csv and taint.json [default: OUT_DIR/taint].")
@click.option("--force", is_flag=True, help="Overwrite earlier taint results.")
def taint_command(out_dir, case_file, method, seed_outputs, write_dir, force) -> None:
    """Print where the tainted satoshis ended (endpoints: services, holdings, CoinJoins, limits)
    under poison, haircut, FIFO and LIFO, reconciled to the satoshi with fees; from a trace's
    output folder, without network.

    \b
    Examples:
      btctrace taint out/demo-ransom
      btctrace taint --case cases/demo-ransom.toml --method fifo --seed <txid>:3
    """
    if (out_dir is None) == (case_file is None):
        raise UsageProblem("give either an output folder or --case CASE")
    folder = out_dir if out_dir is not None else Path("out") / load_case(case_file).id
    seeds = []
    for text in seed_outputs:
        seed = parse_seed(text)
        if seed.kind != "outpoint":
            raise UsageProblem(f"--seed {text!r} is not an output", "Give txid:vout")
        seeds.append((seed.value, seed.vout))
    methods = METHODS if method == "all" else (method,)
    outcome = run_taint(folder, seeds or None, methods, write_dir, force)
    say("\n".join(taint_lines(outcome, methods)))
