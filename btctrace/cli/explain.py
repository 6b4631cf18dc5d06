"""``btctrace explain``: which transactions put two addresses in one cluster."""

from __future__ import annotations

from pathlib import Path

import click

from btctrace.cli.terminal import say
from btctrace.case import load_case
from btctrace.errors import UsageProblem
from btctrace.explain import Explanation, explain_link

__all__ = ["explain_command", "explanation_lines"]


def explanation_lines(found: Explanation) -> list[str]:
    if found.chain is None:
        where = ", ".join(f"{a} in {c or 'no multi-address cluster'}" for a, c in ((found.a, found.cluster_a),
                                                                                  (found.b, found.cluster_b)))
        return [f"Not linked: no recorded merge connects them ({where})."]
    if not found.chain:
        return [f"{found.a} is the same address."]
    lines = [f"{found.a} and {found.b} are in cluster {found.cluster_a}, linked by {len(found.chain)} merge(s):"]
    for number, merge in enumerate(found.chain, 1):
        height, time_utc = found.blocks.get(merge.txid, (None, ""))
        block = f"block {height:,}, {time_utc}" if height is not None else "unconfirmed"
        lines.append(f"  {number}. {merge.a} and {merge.b} were spent together in tx {merge.txid} ({block}): "
                     f"rule {merge.rule} ({merge.reference})")
    return lines


@click.command("explain")
@click.argument("address_a")
@click.argument("address_b")
@click.argument("out_dir", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--case", "case_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Use this case's output folder (out/<case id>) instead of OUT_DIR.")
def explain_command(address_a, address_b, out_dir, case_file) -> None:
    """Say why ADDRESS_A and ADDRESS_B are in one cluster: the shortest chain of transactions
    (with the rule and its source) that links them in a trace's output folder, or that none does.

    \b
    Examples:
      btctrace explain bc1q... bc1p... out/demo-ransom
      btctrace explain bc1q... bc1p... --case cases/demo-ransom.toml
    """
    if (out_dir is None) == (case_file is None):
        raise UsageProblem("give either an output folder or --case CASE")
    folder = out_dir if out_dir is not None else Path("out") / load_case(case_file).id
    say("\n".join(explanation_lines(explain_link(folder, address_a, address_b))))
