"""``btctrace trace``: trace seeds forward or backward and write the output folder."""

from __future__ import annotations

from pathlib import Path

import click

from btctrace.cli.terminal import say
from btctrace.addresses import MAINNET, NETWORKS
from btctrace.cli.options import convert, store_option
from btctrace.cli.render import files_lines, finding_printer, progress_shown
from btctrace.heuristics.clustering import DEFAULT_COLLAPSE_THRESHOLD
from btctrace.providers.http import DEFAULT_MAX_BODY_BYTES
from btctrace.job import DEFAULT_WORKERS, TraceJob
from btctrace.runner import API_URL_ENV, run_trace
from btctrace.tracing.result import Direction, TraceLimits
from btctrace.tracing.seeds import parse_seed
from btctrace.units import parse_btc, parse_utc

__all__ = ["trace_command"]

_DEFAULTS = TraceLimits()


@click.command("trace")
@click.argument("seeds", nargs=-1, required=True)
@click.option("--network", type=click.Choice(NETWORKS), default=MAINNET, show_default=True,
              help="Network the seed addresses must belong to (use a matching --api-url).")
@click.option("--direction", type=click.Choice([d.value for d in Direction]), default="forward", show_default=True,
              help="forward: where the money went; backward: where it came from.")
@click.option("--hops", type=click.IntRange(0), default=_DEFAULTS.hops, show_default=True, help="Maximum hops.")
@click.option("--min-value", metavar="BTC", help="Do not follow transfers below this amount (e.g. 0.001).")
@click.option("--since", metavar="DATE", help="Follow only transactions at or after this UTC date/time.")
@click.option("--until", metavar="DATE", help="Follow only transactions at or before this UTC date/time.")
@click.option("--max-txs", type=click.IntRange(1), default=_DEFAULTS.max_transactions, show_default=True,
              help="Stop after this many transactions (recorded as a cap).")
@click.option("--large-address", type=click.IntRange(0), default=_DEFAULTS.large_address_tx_count, show_default=True,
              help="Do not expand addresses with more transactions than this (exchanges, services).")
@click.option("--max-fan-out", type=click.IntRange(1), default=_DEFAULTS.max_fan_out, show_default=True,
              help="Do not expand a transaction with more transfers to follow than this (recorded as fan_out stops).")
@click.option("--through-coinjoins", is_flag=True,
              help="Follow coins through CoinJoins (still flagged) instead of stopping at them.")
@click.option("--peel-continuation-only", is_flag=True,
              help="In peel-chain steps (1 input, 2 outputs) follow only the continuation, not each peel.")
@click.option("--collapse-threshold", type=click.IntRange(1), default=DEFAULT_COLLAPSE_THRESHOLD, show_default=True,
              help="Refuse common-input merges of two clusters both larger than this (recorded).")
@click.option("--allow-collapse", is_flag=True, help="Merge even clusters above --collapse-threshold.")
@click.option("--cluster-change", is_flag=True,
              help="Also cluster decided change outputs with their inputs (each such merge is marked 'change').")
@click.option("--chart-by-time", is_flag=True, help="Flow chart columns by block time instead of hop.")
@click.option("--sankey-method", type=click.Choice(["fifo", "lifo", "haircut", "poison"]), default="fifo",
              show_default=True, help="Taint method the Sankey chart shows.")
@click.option("--tags", "tag_paths", multiple=True, type=click.Path(path_type=Path),
              help="GraphSense TagPack YAML file or folder (repeatable).")
@click.option("--notes", "notes_path", type=click.Path(dir_okay=False, path_type=Path),
              help="The analyst's notes (explorer.html's 'Download notes' JSON): shown in the report, the entity "
                   "chart and the next explorer.html, marked as the analyst's.")
@click.option("--api-url", "api_urls", envvar=API_URL_ENV, show_envvar=True, multiple=True,
              help="Esplora API base URL [default: https://blockstream.info/api]. Repeat it for failover: "
                   "when one explorer keeps failing, the next answers.")
@click.option("--cross-check", type=click.IntRange(0), default=0, metavar="N",
              help="Fetch N traced transactions from every --api-url and report any disagreement.")
@click.option("--max-response-mb", type=click.FloatRange(0.01), default=DEFAULT_MAX_BODY_BYTES / 2**20,
              show_default=True, help="Refuse explorer answers larger than this (a hostile or broken explorer).")
@click.option("--rate", type=float, help="Requests per second, at most [default: 1 for blockstream.info, 5 for "
                                         "mempool.space; other hosts unpaced until they answer 429, then adapted].")
@click.option("--workers", type=click.IntRange(1, 32), default=DEFAULT_WORKERS, show_default=True,
              help="Parallel requests (all share the --rate limit); an --offline replay uses one.")
@click.option("--record", type=click.Path(dir_okay=False, path_type=Path), help="Save every response to this cassette.")
@click.option("--resume", is_flag=True, help="Continue an interrupted --record from its journal.")
@click.option("--offline", type=click.Path(dir_okay=False, path_type=Path),
              help="Replay this cassette; no network access at all.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Output folder.")
@click.option("--force", is_flag=True, help="Overwrite outputs already in --out.")
@click.option("--no-store", is_flag=True, help="Use no store (no evidence cache, store tags or case links).")
@click.option("--attribute-endpoints", type=click.IntRange(0), default=0, metavar="N",
              help="Follow each unlabelled endpoint's sweep with at most N extra requests, to name it through "
                   "its tagged co-spenders (every step is shown as evidence).")
@click.option("--price-table", type=click.Path(dir_okay=False, path_type=Path),
              help="Your daily USD prices (CSV 'date,usd'): a second opinion on the explorer's; a price more than "
                   "10 % apart is marked disputed beside the amount.")
@click.option("--prove-all", is_flag=True,
              help="Check a Merkle proof for every traced transaction (one request each), not only for those the "
                   "findings rest on; every block's header is checked either way.")
@click.option("--require-proofs", is_flag=True,
              help="Refuse the run when a block header or Merkle proof cannot be had (an explorer or cassette "
                   "without them), instead of naming the unproven transactions in every exhibit.")
@store_option
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")
def trace_command(seeds, network, direction, hops, min_value, since, until, max_txs, large_address, max_fan_out,
                  through_coinjoins, peel_continuation_only, collapse_threshold, allow_collapse, cluster_change,
                  chart_by_time, sankey_method, tag_paths, notes_path,
                  api_urls, cross_check, max_response_mb, rate, workers, record, resume, offline, out_dir, force, no_store,
                  attribute_endpoints, price_table, prove_all, require_proofs, store, quiet) -> None:
    """Trace SEEDS (addresses, txids or txid:vout) and write trace.json, CSVs, GraphML and a flow chart.

    \b
    Examples:
      btctrace trace 15JFh88FcE4WL6qeMLgX5VEAFCbRXjc9fr --hops 6 --out out/case1 --record cassettes/case1.json
      btctrace trace 15JFh88FcE4WL6qeMLgX5VEAFCbRXjc9fr --hops 6 --out out/case1b --offline cassettes/case1.json
      btctrace trace 15JFh88FcE4WL6qeMLgX5VEAFCbRXjc9fr --out out/case1c --record cassettes/case1c.json \
          --api-url https://blockstream.info/api --api-url https://mempool.space/api --cross-check 10
    """
    limits = TraceLimits(
        hops=hops, min_value=convert("--min-value", parse_btc, min_value) or 0,
        since=convert("--since", parse_utc, since), until=convert("--until", parse_utc, until),
        max_transactions=max_txs, large_address_tx_count=large_address, max_fan_out=max_fan_out,
        through_coinjoins=through_coinjoins,
        peel_continuation_only=peel_continuation_only,
    )
    job = TraceJob(
        seeds=tuple(parse_seed(s, network) for s in seeds), out_dir=out_dir, direction=Direction(direction), limits=limits,
        network=network,
        api_url=api_urls[0] if api_urls else None, fallback_urls=tuple(api_urls[1:]), cross_check=cross_check,
        max_response_bytes=int(max_response_mb * 2**20), record=record, resume=resume, offline=offline, tag_paths=tuple(tag_paths), notes_path=notes_path, rate=rate, force=force,
        workers=workers, collapse_threshold=collapse_threshold, allow_collapse=allow_collapse,
        cluster_change=cluster_change, chart_by_time=chart_by_time, sankey_method=sankey_method,
        store=store, no_store=no_store, attribute_endpoints=attribute_endpoints,
        prove_all=prove_all, require_proofs=require_proofs, price_table=price_table,
    )
    with progress_shown(quiet) as progress:
        outcome = run_trace(job, progress=progress, on_traced=finding_printer(progress))
    say("\n".join(files_lines(outcome)))
