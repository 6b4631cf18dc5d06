"""``btctrace case new|run|validate|verify|links``: work from a case file."""

from __future__ import annotations

from pathlib import Path

import click

from btctrace.cli.terminal import say
from btctrace.exports.writing.safe_text import summarise
from btctrace.case import load_case
from btctrace.case_template import CaseDraft, write_case_template
from btctrace.cli.verify import render_report
from btctrace.verify import verify_outputs
from btctrace.cli.render import files_lines, finding_printer, progress_shown
from btctrace.cli.options import store_option
from btctrace.runner import run_case
from btctrace.store import open_store
from btctrace.units import format_btc, format_utc

__all__ = ["case_group"]


@click.group("case")
def case_group() -> None:
    """Run or check a case file (seeds, limits, tags and cassette of one investigation).

    \b
    Example:
      btctrace case new ransom-2026-001 bc1q... --examiner "DC J. Smith" --agency RCCU
      btctrace case run cases/demo-ransom.toml
    """


@case_group.command("new")
@click.argument("case_id")
@click.argument("seeds", nargs=-1, required=True)
@click.option("--out", "path", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the case file [default: cases/<CASE_ID>.toml].")
@click.option("--title", default="", help="The case's title, as the exhibits show it.")
@click.option("--examiner", default="", help="Who examines the case.")
@click.option("--agency", default="", help="For whom.")
@click.option("--exhibit", default="", help="The exhibit reference the report carries.")
@click.option("--direction", type=click.Choice(["forward", "backward"]), default="forward", show_default=True)
@click.option("--api-url", "api_urls", multiple=True, help="Explorers, in order (repeatable) [default: blockstream.info].")
@click.option("--tags", "tag_paths", multiple=True, help="Your own TagPack files (repeatable).")
@click.option("--force", is_flag=True, help="Replace an existing file.")
def new_command(case_id, seeds, path, title, examiner, agency, exhibit, direction, api_urls, tag_paths, force) -> None:
    """Write a case file for CASE_ID tracing SEEDS, every field filled or commented, to edit and
    then run: a real case starts from a file, not from flags.

    \b
    Example:
      btctrace case new ransom-2026-001 bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh \\
          --title "Ransom paid by Example Ltd" --examiner "DC J. Smith" --agency RCCU --exhibit JS/1
    """
    draft = CaseDraft(case_id, tuple(seeds), title, examiner, agency, exhibit, direction=direction,
                      api_urls=tuple(api_urls), tag_paths=tuple(tag_paths))
    written = write_case_template(draft, path or Path("cases") / f"{case_id}.toml", force)
    say(f"Wrote {written}. Edit it, then record the evidence the first time:\n"
        f"  btctrace case run {written} --live --record")


@case_group.command("run")
@click.argument("case_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Output folder [default: out/<case id>].")
@click.option("--live", is_flag=True, help="Fetch from the explorer instead of replaying the cassette.")
@click.option("--record", "--refresh", "record", is_flag=True, help="Fetch live and record the case's cassette anew.")
@click.option("--resume", is_flag=True, help="Continue an interrupted --record from its journal.")
@click.option("--api-url", help="Override the case's explorer URL.")
@click.option("--force", is_flag=True, help="Overwrite earlier outputs (and, with --record, the cassette).")
@click.option("--workers", type=click.IntRange(1, 32),
              help="Parallel requests [default: the case's, else 4; a replay uses one].")
@click.option("--no-store", is_flag=True, help="Use no store (no evidence cache, store tags or case links).")
@click.option("--attribute-endpoints", type=click.IntRange(0), default=0, metavar="N",
              help="Follow each unlabelled endpoint's sweep with at most N extra requests, to name it.")
@click.option("--price-table", type=click.Path(dir_okay=False, path_type=Path),
              help="Your daily USD prices (CSV 'date,usd'), over the case's [prices] table: a second opinion.")
@click.option("--require-proofs", is_flag=True, help="Refuse the run when a block or transaction cannot be proven.")
@store_option
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")
def run_command(case_file, out_dir, live, record, resume, api_url, force, workers, no_store, attribute_endpoints,
                price_table, require_proofs, store, quiet) -> None:
    """Run CASE_FILE: by default offline, from the cassette it names.

    \b
    Examples:
      btctrace case run cases/demo-ransom.toml
      btctrace case run cases/demo-ransom.toml --out out/demo-again --force
    """
    case = load_case(case_file)
    with progress_shown(quiet) as progress:
        outcome = run_case(case, out_dir=out_dir, live=live, record=record, force=force, api_url=api_url,
                           progress=progress, workers=workers, resume=resume, store=store, no_store=no_store,
                           attribute_endpoints=attribute_endpoints, price_table=price_table,
                           require_proofs=require_proofs,
                           on_traced=finding_printer(progress, f"Case {case.id}: SYNTHETIC data (made by btctrace's "
                                                               "demo generator, not real payments)." if case.synthetic
                                                     else ""))
    say("\n".join(files_lines(outcome)))


@case_group.command("validate")
@click.argument("case_file", type=click.Path(dir_okay=False, path_type=Path))
def validate_command(case_file) -> None:
    """Check CASE_FILE and print what it will trace.

    \b
    Example:
      btctrace case validate cases/demo-ransom.toml
    """
    case = load_case(case_file)
    limits = case.limits
    say(f"case {case.id}: {case.title}{' [SYNTHETIC]' if case.synthetic else ''}")
    say(f"  seeds: {summarise(case.seeds, 'seeds')} ({case.direction.value})")
    say(f"  hops {limits.hops}, min value {format_btc(limits.min_value)} BTC, "
               f"window {format_utc(limits.since) or '-'} .. {format_utc(limits.until) or '-'}, "
               f"max {limits.max_transactions} transactions, large address > {limits.large_address_tx_count} txs")
    say(f"  cassette: {case.cassette or 'none'}{'' if case.cassette is None or case.cassette.exists() else ' (missing)'}")
    say(f"  tags: {', '.join(str(p) for p in case.tag_paths) or 'none'}")
    info = case.info
    say(f"  examiner {info.examiner or 'not given'}, agency {info.agency or 'not given'}, "
               f"report date {info.report_date or 'not given'}, exhibit {info.exhibit or 'not given'}")
    say(f"  roles from the case file: {len(info.victims)} victims' payments or addresses; seed holder "
               f"{info.seed_owner or 'not given'}")


@case_group.command("verify")
@click.argument("case_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="The case's output folder [default: out/<case id>].")
@click.pass_context
def verify_case_command(ctx: click.Context, case_file, out_dir) -> None:
    """Check that CASE_FILE's outputs were made from this case file and its unchanged cassette,
    and that an offline rerun gives byte-identical outputs (exit 0 only then).

    \b
    Example:
      btctrace case run cases/demo-ransom.toml && btctrace case verify cases/demo-ransom.toml
    """
    case = load_case(case_file)
    render_report(ctx, verify_outputs(out_dir or Path("out") / case.id, case_file=case.path))


@case_group.command("links")
@click.argument("case_id")
@store_option
def links_command(case_id, store) -> None:
    """Other cases in the store that share addresses, transactions or clusters with CASE_ID.

    \b
    Example:
      btctrace case links demo-ransom
    """
    opened = open_store(store)
    try:
        links = opened.links(case_id)
    finally:
        opened.close()
    if not links:
        say(f"{case_id}: no other case shares an address, transaction or cluster with it")
    for link in links:
        say(f"{link.case_id} ({link.title}): {len(link.addresses)} shared address(es), "
                   f"{len(link.transactions)} transaction(s), {len(link.clusters)} cluster(s)")
        for address, here, there in link.addresses[:20]:
            say(f"  address {address}: {here} here, {there} there")
        say("".join(f"  transaction {txid}\n" for txid in link.transactions[:20]), nl=False)
        for cluster in link.clusters[:20]:
            say(f"  cluster {cluster.here} ({cluster.size_here} addresses) = {cluster.there} there "
                       f"({cluster.size_there}): through {', '.join(cluster.shared[:3])}")
