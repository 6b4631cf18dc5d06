"""``btctrace tags import|lookup|stats``: attributions in the store."""

from __future__ import annotations

from pathlib import Path

import click

from btctrace.cli.terminal import say
from btctrace.cli.options import store_option
from btctrace.errors import UsageProblem
from btctrace.exports.writing.safe_text import summarise
from btctrace.store import open_store
from btctrace.store.tag_sources import SOURCE_KINDS, ListDefaults
from btctrace.sources.catalogue import PUBLIC_SOURCES, source_age
from btctrace.sources.fetch import default_sources_folder, fetch_source
from btctrace.store.tag_store import ImportOutcome
from btctrace.urls import public_url
from btctrace.tags import TEXT_LIMIT

__all__ = ["tags_group"]

_SUFFIX_KINDS = {".yaml": "tagpack", ".yml": "tagpack", ".xml": "ofac"}


@click.group("tags")
def tags_group() -> None:
    """Attributions in the store: TagPacks, sanctions lists, address lists, Ransomwhere.

    \b
    Examples:
      btctrace tags import ../graphsense-tagpacks/packs
      btctrace tags import sdn_advanced.xml --kind ofac
      btctrace tags lookup 16ZSAEfYpPCj3D94fsNt2okYj9Ue8mxy6T
    """


def _kind_of(path: Path, given: str | None) -> str:
    if given:
        return given
    if path.is_dir():
        return "tagpack"
    kind = _SUFFIX_KINDS.get(path.suffix.lower())
    if kind is None:
        raise UsageProblem(f"cannot tell what {path.name} is", f"Give --kind ({', '.join(SOURCE_KINDS)})")
    return kind


def _imported_line(outcome: ImportOutcome) -> str:
    source = outcome.source
    if outcome.unchanged:
        return f"  {source.name}: unchanged since {source.imported_at} (sha256 {source.sha256[:16]}…): skipped"
    replaced = f"; replaces the import of {outcome.replaced.imported_at} from {outcome.replaced.path}" \
        if outcome.replaced else ""
    checks = outcome.checks or {}
    cut = f", {checks['cut_fields']:,} fields cut at {TEXT_LIMIT:,} characters" if checks.get("cut_fields") else ""
    dates = f", {checks['bad_dates']:,} dates not understood (left blank)" if checks.get("bad_dates") else ""
    return (f"  {source.name}: {source.tags:,} tags, {source.skipped:,} skipped (other currency or not a "
            f"mainnet address){cut}{dates}, sha256 {source.sha256[:16]}…{replaced}")


@tags_group.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--kind", type=click.Choice(SOURCE_KINDS),
              help="What the files are [default: by suffix: .yaml TagPack, .xml OFAC; a folder: TagPacks].")
@click.option("--label", help="list: what every address is (e.g. 'OFAC SDN (0xB10C list)').")
@click.option("--category", help="list: the category (e.g. sanction, exchange, perpetrator).")
@click.option("--source", "source_url", help="list: where the list comes from (a URL).")
@click.option("--sanctions", is_flag=True, help="list: it is a sanctions list (flag every traced address on it).")
@click.option("--listed-on", default="", help="list: the list's date (YYYY-MM-DD).")
@store_option
def import_command(paths, kind, label, category, source_url, sanctions, listed_on, store) -> None:
    """Import attribution files into the store (each file with its SHA-256 and the import time).

    \b
    Examples:
      btctrace tags import ../graphsense-tagpacks/packs
      btctrace tags import sdn_advanced.xml
      btctrace tags import ransomwhere-export.json --kind ransomwhere
      btctrace tags import sanctioned_addresses_XBT.txt --kind list --sanctions --category sanction \\
          --label "OFAC SDN (0xB10C list)" --source https://github.com/0xB10C/ofac-sanctioned-digital-currency-addresses
    """
    defaults = ListDefaults(label, category, source_url, sanctions=sanctions, listed_on=listed_on) \
        if label and category and source_url else None
    opened = open_store(store)
    try:
        for path in paths:
            say(f"{path}:")
            opened.import_file(_kind_of(path, kind), path, defaults, lambda o: say(_imported_line(o)))
        stats = opened.stats()
    finally:
        opened.close()
    say(f"Store {opened.location}: {stats.tags:,} tags on {stats.addresses:,} addresses "
               f"({stats.sanctioned_addresses:,} on a sanctions list).")


@tags_group.command("fetch")
@click.argument("names", nargs=-1, required=True, type=click.Choice(sorted(PUBLIC_SOURCES)))
@click.option("--url", help="Download from this URL instead (a mirror); only with one source.")
@click.option("--into", type=click.Path(file_okay=False, path_type=Path),
              help="Where to keep the downloaded files [default: btctrace's data folder, sources/].")
@store_option
def fetch_command(names, url, into, store) -> None:
    """Download public attribution sources and import them (the URL, time and SHA-256 kept).

    \b
    Sources:
      graphsense    GraphSense public TagPacks (exchanges, ransomware, sextortion, hacks)
      ofac          OFAC's SDN list, sdn_advanced.xml (party, entry, listing date)
      ofac-0xb10c   0xB10C's nightly extract of OFAC's XBT addresses
      ransomwhere   Ransomwhere's ransomware payment addresses

    \b
    Examples:
      btctrace tags fetch ofac ransomwhere graphsense
      btctrace tags fetch ofac --url https://mirror.unit.local/sdn_advanced.xml
    """
    if url and len(names) > 1:
        raise UsageProblem("--url names one file", "Fetch one source at a time with --url")
    opened = open_store(store)
    try:
        for name in names:
            source = PUBLIC_SOURCES[name]
            say(f"{name}: {public_url(url or source.url)}")
            got, _ = fetch_source(opened, source, into or default_sources_folder(), url,
                                  lambda o: say(_imported_line(o)))
            say(f"  fetched {got.size:,} bytes at {got.fetched_utc}, sha256 {got.sha256[:16]}…, kept as {got.path}")
        stats = opened.stats()
    finally:
        opened.close()
    say(f"Store {opened.location}: {stats.tags:,} tags on {stats.addresses:,} addresses "
        f"({stats.sanctioned_addresses:,} on a sanctions list).")


@tags_group.command("sources")
@store_option
def sources_command(store) -> None:
    """List what the store's tags were imported from: where, when, and which imports are stale
    (a sanctions list after 7 days, Ransomwhere after 30, others after 90).

    \b
    Example:
      btctrace tags sources
    """
    opened = open_store(store)
    try:
        sources = opened.stats().sources
    finally:
        opened.close()
    if not sources:
        say(f"Store {opened.location} holds no tags yet: btctrace tags fetch ofac graphsense, or tags import FILE")
    for source in sources:
        age = source_age(source)
        origin = f"fetched from {source.source_url} at {source.fetched_at}" if age.fetched else \
            f"imported from {source.path} at {source.imported_at}"
        state = f"STALE: {age.days} days old (fresh for {age.limit})" if age.stale else f"{age.days} days old"
        say(f"  {source.name}: {source.tags:,} tags, {origin}; {state}")


@tags_group.command("lookup")
@click.argument("addresses", nargs=-1, required=True)
@store_option
def lookup_command(addresses, store) -> None:
    """Every tag the store holds for ADDRESSES.

    \b
    Example:
      btctrace tags lookup 16ZSAEfYpPCj3D94fsNt2okYj9Ue8mxy6T bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh
    """
    opened = open_store(store)
    try:
        found = opened.lookup(addresses)
    finally:
        opened.close()
    for address in addresses:
        tags = found.get(address, [])
        say(f"{address}: {len(tags)} tag(s)" if tags else f"{address}: no tag")
        for tag in tags:
            flag = "SANCTIONS " if tag.is_sanction else ""
            entry = f" · {tag.entry}" if tag.entry else ""
            listed = f" · listed {tag.listed_on}" if tag.listed_on else ""
            say(f"  {flag}{tag.label} [{tag.category or 'no category'}] confidence {tag.confidence or '?'}"
                       f" · {tag.tagpack} (sha256 {tag.file_sha256[:12]}…, imported {tag.imported_at}){entry}{listed}"
                       f" · source {tag.source}")


@tags_group.command("stats")
@store_option
def stats_command(store) -> None:
    """What the store holds: tags by category and by imported file.

    \b
    Example:
      btctrace tags stats --store postgresql://btctrace@db.unit.local/btctrace
    """
    opened = open_store(store)
    try:
        stats = opened.stats()
    finally:
        opened.close()
    say(f"Store {opened.location}: {stats.tags:,} tags on {stats.addresses:,} addresses, "
               f"{stats.sanctioned_addresses:,} on a sanctions list.")
    say("By category: " + summarise([f"{c} {n:,}" for c, n in stats.by_category.items()], "categories", 12))
    for source in stats.sources:
        say(f"  {source.name}: {source.tags:,} tags ({source.kind}), imported {source.imported_at}, "
                   f"sha256 {source.sha256[:16]}…" + (f", published {source.published}" if source.published else ""))
