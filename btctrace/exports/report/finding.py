"""Page 1 of the report: the finding, in sentences a prosecutor reads first.

Who the case is (case id, title, examiner, agency, report date, exhibit reference: the case
file's fields, "not given" where absent); every seed whole; what the seeds received and when,
with USD at the time where a price is known; where the money went (FIFO taint, each satoshi
once); every attribution the trace reached (label, category or abuse type, source, confidence,
and how: a tag on the address, on its cluster, or through a sweep); every sanctions hit; and
where the roles come from. Methodology, accuracy and provenance follow as appendices.
Each sentence says only what the chain, a cited tag or the case file supports.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

from btctrace.analysis import Analysis
from btctrace.case import CaseInfo
from btctrace.exports.writing.safe_text import html_text as _e
from btctrace.graph.case_roles import CaseRoles
from btctrace.graph.schema import ROLE_WORDS
from btctrace.tracing.proving import proof_line
from btctrace.tracing.result import STOP_EXPLANATIONS, Direction, StopReason, TraceResult
from btctrace.units import counted, format_btc, format_utc, readable_date, readable_utc
from btctrace.valuation import Prices

__all__ = ["NOT_GIVEN", "SEEDS_SHOWN", "case_table", "finding_html", "report_title"]

NOT_GIVEN = "not given"
SEEDS_SHOWN = 20  # seeds written out on page 1; trace.json and the parameters appendix hold all
_PLACES_SHOWN = 5  # endpoints named per kind on page 1; endpoints.csv holds all


def _id(text: str) -> str:
    return f'<span class="id">{_e(text)}</span>'


def report_title(result: TraceResult, case: CaseInfo) -> str:
    """The case's title, or what was traced from where."""
    if case.title:
        return case.title
    first = str(result.seeds[0]) if result.seeds else "no seed"
    more = f" and {counted(len(result.seeds) - 1, 'other seed')}" if len(result.seeds) > 1 else ""
    return f"{result.direction.value.capitalize()} trace from {first}{more}"


def case_table(case: CaseInfo) -> str:
    """The case's particulars, each one the case file's or "not given"."""
    rows = [("Case", case.id), ("Title", case.title), ("Kind of case", case.kind), ("Examiner", case.examiner),
            ("Agency", case.agency), ("Report date", readable_date(case.report_date) if case.report_date else ""),
            ("Exhibit reference", case.exhibit)]
    body = "".join(f"<tr><th>{_e(name)}</th><td>{_e(value) if value else f'<em>{NOT_GIVEN}</em>'}</td></tr>"
                   for name, value in rows)
    return f'<table class="case">{body}</table>'


def _usd(prices: Prices, amounts: list[tuple[int, int | None]]) -> str:
    """", worth US$1,234.56 at the time" for (sats, block time) pairs, or that it is not known."""
    total = Decimal(0)
    for sats, moment in amounts:
        price = prices.per_btc(moment)
        if price is None:
            return " (USD value not known: no price for that time)"
        total += Decimal(sats) * price / Decimal(100_000_000)
    return f", worth US${total.quantize(Decimal('0.01')):,} at the time (price source in the provenance appendix)"


def _btc(sats: int) -> str:
    """Exact BTC with thousands separated, for prose: "15,005.88594500 BTC"."""
    whole, _, fraction = format_btc(sats).partition(".")
    return f"{int(whole):,}.{fraction} BTC"


def _when(times: list[int]) -> str:
    if not times:
        return " (unconfirmed)"
    if times[0] == times[-1]:
        return f" on {readable_utc(times[0])}"
    return f" between {readable_utc(times[0])} and {readable_utc(times[-1])}"


def _receipts(result: TraceResult, analysis: Analysis) -> dict[tuple[bool, str], list[tuple[int, int | None]]]:
    """(is a seed transaction, seed) -> (satoshis, block time) of what it received or paid out:
    forward, the taint seeds; backward, the outputs paying a seed address in the first hop."""
    seed_txs = {seed.value for seed in result.seeds if seed.kind in ("tx", "outpoint")}
    by_seed: dict[tuple[bool, str], list[tuple[int, int | None]]] = {}
    if analysis.taint is not None:
        outputs = [(txid, vout) for txid, vout in analysis.taint.seeds]
    else:
        outputs = [(t.tx.txid, o.index) for t in result.txs.values() if t.hop == 0
                   for o in t.tx.outputs if o.address in result.seed_addresses]
    for txid, vout in outputs:
        tx = result.txs[txid].tx
        output = tx.outputs[vout]
        key = (True, txid) if txid in seed_txs else (False, output.address or f"{txid}:{vout}")
        by_seed.setdefault(key, []).append((output.value, tx.block_time))
    return by_seed


def _received(result: TraceResult, analysis: Analysis, prices: Prices) -> list[str]:
    """One sentence per seed: the payments a seed address received, or what a seed transaction
    paid out; how much, and when. At most :data:`SEEDS_SHOWN` seeds (the rest are counted)."""
    by_seed = _receipts(result, analysis)
    lines = []
    for (is_tx, seed), amounts in sorted(by_seed.items())[:SEEDS_SHOWN]:
        when = _when(sorted(t for _, t in amounts if t is not None))
        total = f"{_btc(sum(s for s, _ in amounts))}{_e(_usd(prices, amounts))}"
        if is_tx:
            lines.append(f"Transaction {_id(seed)} paid {counted(len(amounts), 'output')} traced from it, totalling "
                         f"{total}{_e(when)}.")
        else:
            lines.append(f"{_id(seed)} received {counted(len(amounts), 'payment')} totalling {total}{_e(when)}.")
    if len(by_seed) > SEEDS_SHOWN:
        lines.append(_e(f"And {counted(len(by_seed) - SEEDS_SHOWN, 'more seed')}: each payment is in trace.json "
                        "and transfers.csv."))
    return lines


def _sources(result: TraceResult) -> str:
    """Backward: the largest places where the walk stopped (the earliest sources it reached)."""
    stops = sorted(result.stops, key=lambda s: (-s.value, s.txid, s.index))[:_PLACES_SHOWN]
    named = "; ".join(f"{_btc(s.value)} from {_id(s.address or f'{s.txid}:{s.index}')} "
                      f"({_e(s.reason.value.replace('_', ' '))})" for s in stops)
    more = _e(f"; and {counted(len(result.stops) - _PLACES_SHOWN, 'more')} in the stops section") \
        if len(result.stops) > _PLACES_SHOWN else ""
    return (_e("Where the walk stopped, largest first (each input's whole value: a backward trace does not "
               "apportion how much of it reached the seed): ") + f"{named}{more}.") if stops else ""


def _went(result: TraceResult, analysis: Analysis) -> list[str]:
    """Where the seed money ended under FIFO, by kind of end, the largest places named."""
    top = max((t.hop for t in result.txs.values()), default=0)
    hops = "hop 0 only" if top == 0 else f"hops 0–{top}"
    if analysis.taint is None:
        return [_e(f"The trace followed the money that reached the seed{'s' if len(result.seeds) > 1 else ''} "
                   f"back through {counted(len(result.txs), 'transaction')} ({hops}). ") + _sources(result)]
    lines = [_e(f"The trace followed the money through {counted(len(result.txs), 'transaction')} ({hops}). "
                "Under FIFO taint (each satoshi counted once):")]
    by_reason: dict[str, list] = {}
    for row in analysis.taint.rows:
        if row.sats["fifo"]:
            by_reason.setdefault(row.reason, []).append(row)
    items = []
    for reason, rows in sorted(by_reason.items(), key=lambda kv: -sum(r.sats["fifo"] for r in kv[1])):
        rows.sort(key=lambda r: (-r.sats["fifo"], r.place))
        named = "; ".join(f"{_btc(r.sats['fifo'])} at {_id(r.place)}" + (
            f" ({_e(r.label)})" if r.label else "") for r in rows[:_PLACES_SHOWN])
        more = f"; and {counted(len(rows) - _PLACES_SHOWN, 'more place')} in endpoints.csv" \
            if len(rows) > _PLACES_SHOWN else ""
        items.append(f"<li>{_btc(sum(r.sats['fifo'] for r in rows))}: "
                     f"{_e(STOP_EXPLANATIONS[StopReason(reason)])}. {named}{more}.</li>")
    fees = analysis.taint.totals["fifo"].fees
    items.append(f"<li>{_btc(fees)}: paid as miners' fees. These amounts add up to what the seeds "
                 "received, to the satoshi, under every taint method (endpoints.csv).</li>")
    return lines + [f"<ul>{''.join(items)}</ul>"]


def _coinjoins(result: TraceResult) -> list[str]:
    """The CoinJoins on the traced path: where any taint share is a convention, not a fact."""
    if not result.coinjoins:
        return []
    named = "; ".join(f"{_id(txid)} ({_e(finding.heuristic)})" for txid, finding in sorted(result.coinjoins.items())[:5])
    more = _e(f"; and {counted(len(result.coinjoins) - 5, 'more')}") if len(result.coinjoins) > 5 else ""
    return [f"{_e(counted(len(result.coinjoins), 'CoinJoin'))} on the traced path: {named}{more}. Which coins "
            "left a CoinJoin is not shown by the chain; the taint shares past one follow a convention "
            "(see the methodology appendix)."]


PEEL_CHAINS_NAMED = 3  # the longest peel chains page 1 names; the report's table lists every one


def _peel_chains(analysis: Analysis) -> list[str]:
    """The longest peel chains, as the chain shows them: hops, what was peeled to how many
    addresses, first and last transactions with their block dates (peel_chains.csv has each hop)."""
    if not analysis.peel_chains:
        return []
    longest = sorted(analysis.peel_chains, key=lambda c: (-c.length, c.steps[0].txid))[:PEEL_CHAINS_NAMED]
    named = "; ".join(
        f"{c.length:,} hops from {_id(c.steps[0].txid)}, confirmed {_e(_day(c.steps[0].block_time))}, to "
        f"{_id(c.steps[-1].txid)}, confirmed {_e(_day(c.steps[-1].block_time))}, peeling "
        f"{_e(format_btc(c.total_peeled))} BTC "
        f"to {_e(counted(len({s.peel_address or s.txid for s in c.steps}), 'address', 'addresses'))}"
        for c in longest)
    more = _e(f"; and {counted(len(analysis.peel_chains) - len(longest), 'shorter one')}") \
        if len(analysis.peel_chains) > len(longest) else ""
    return [f"The money passed down {_e(counted(len(analysis.peel_chains), 'peel chain'))} (each step one input, one "
            f"output paid off and the other passed on to the next step): {named}{more}. Each hop is a row of "
            "peel_chains.csv; the charts draw a chain of five hops or more as one box."]


def _day(block_time: int | None) -> str:
    return f"on {readable_date(format_utc(block_time)[:10])}" if block_time is not None else "not yet (unconfirmed)"


def _tag_words(tag: dict[str, Any]) -> str:
    kind = tag.get("abuse") or tag.get("category") or "no category given"
    source = tag.get("source") or "no source given"
    confidence = tag.get("confidence") or "not stated"
    return (f"“{_e(tag['label'])}” ({_e(kind)}; source: {_e(source)}, via {_e(tag['from'])}; "
            f"confidence: {_e(confidence)})")


def _attributions(attribution: dict[str, Any]) -> list[str]:
    """Every attribution reached: a tag on the address (addresses with the same tag in one
    sentence), on its cluster, or through a sweep."""
    lines = []
    by_tag: dict[tuple, list[dict]] = {}
    for row in attribution.get("addresses", []):
        for tag in row["tags"]:
            key = (tag["label"], tag.get("abuse") or tag.get("category"), tag.get("source"), tag.get("confidence"),
                   tag["from"])
            by_tag.setdefault(key, []).append((row, tag))
    for _, rows in sorted(by_tag.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        shown = ", ".join(f"{_id(row['address'])} ({_e(ROLE_WORDS.get(row['role'], row['role']))})"
                          for row, _ in rows[:_PLACES_SHOWN])
        more = _e(f", and {counted(len(rows) - _PLACES_SHOWN, 'more')} (Attributions section)") \
            if len(rows) > _PLACES_SHOWN else ""
        if len(rows) == 1:
            lines.append(f"{shown} is tagged {_tag_words(rows[0][1])}. How: a tag on the address itself.")
        else:
            lines.append(f"{len(rows)} traced addresses are each tagged {_tag_words(rows[0][1])}: {shown}{more}. "
                         "How: a tag on each address itself.")
    for cluster in attribution.get("clusters", []):
        lines.append(f"Cluster {_e(cluster['cluster'])} ({counted(cluster['addresses'], 'address', 'addresses')}) is "
                     f"named “{_e(cluster['label'])}” ({_e(cluster['category'] or 'no category given')}; confidence "
                     f"{_e(cluster['confidence'])}). How: through its members' tags and common-input clustering, one "
                     "confidence step below the tag.")
    for deposit in attribution.get("deposits", []):
        if deposit.get("named_by"):
            lines.append(f"{_id(deposit['address'])} is named through the transaction that swept it "
                         f"({_id(deposit['sweep_txid'] or '')}): {_tag_words(deposit['named_by'])}. How: a sweep.")
    if not lines:
        apart = "Apart from the sanctions list entries below, no" if attribution.get("sanctions") else "No"
        lines.append(f"{apart} traced address, cluster or deposit carries a tag from the imported sources.")
    return lines


def _sanctions(attribution: dict[str, Any]) -> list[str]:
    lines = []
    for hit in attribution.get("sanctions", []):
        listed = f", listed {hit['listed_on']}" if hit.get("listed_on") else ""
        lines.append(f"<strong>Sanctions:</strong> {_id(hit['address'])} "
                     f"({_e(ROLE_WORDS.get(hit['role'], hit['role']))}) is on {_e(hit['list'])}: "
                     f"{_e(hit['entry'] or 'entry not named')}{_e(listed)}"
                     + (f" (source: {_e(hit['source'])})." if hit.get("source") else "."))
    return lines


def _roles(case_roles: CaseRoles | None) -> str:
    """Where the roles come from: the chain, or the case file (its victims named whole)."""
    plain = ("Roles are what the chain shows (seed, paid the seed, passed it on, still holding, stopped); "
             "btctrace presumes no one a victim or an offender.")
    if case_roles is None or not case_roles.given:
        return _e(plain + " The case file names no victim and no holder of the seed.")
    parts = [_e(plain)]
    if case_roles.victims:
        named = ", ".join(_id(a) for a in case_roles.victims[:SEEDS_SHOWN])
        more = _e(f" and {counted(len(case_roles.victims) - SEEDS_SHOWN, 'more')} (addresses.csv)") \
            if len(case_roles.victims) > SEEDS_SHOWN else ""
        parts.append(_e(f"Marked “victim” because the {case_roles.source} names them or their payments: ") +
                     named + more + ".")
    if case_roles.seed_owner:
        parts.append(_e(f"The {case_roles.source} says the seed addresses are held by “{case_roles.seed_owner}”."))
    if case_roles.not_in_trace:
        parts.append(_e("Named by the case file but not in this trace: ") +
                     ", ".join(_id(x) for x in case_roles.not_in_trace) + ".")
    return " ".join(parts)


def _seeds(result: TraceResult) -> str:
    shown = [_id(str(seed)) for seed in result.seeds[:SEEDS_SHOWN]]
    more = f" and {counted(len(result.seeds) - SEEDS_SHOWN, 'more seed')} (all in the parameters appendix)" \
        if len(result.seeds) > SEEDS_SHOWN else ""
    direction = "forward (where the money went)" if result.direction is Direction.FORWARD else \
        "backward (where the money came from)"
    return f"<p>Traced {_e(direction)} from {counted(len(result.seeds), 'seed')}: {', '.join(shown)}{_e(more)}.</p>"


def finding_html(result: TraceResult, analysis: Analysis, case: CaseInfo, prices: Prices,
                 attribution: dict[str, Any], case_roles: CaseRoles | None) -> str:
    """Page 1 after the case table: seeds, receipts, where it went, attributions, sanctions,
    roles and how far the chain data were proven."""
    paragraphs = [*_received(result, analysis, prices), *_went(result, analysis), *_coinjoins(result),
                  *_peel_chains(analysis),
                  *_attributions(attribution),
                  *_sanctions(attribution), _roles(case_roles)]
    if result.proofs is not None:
        paragraphs.append(_e(proof_line(result.proofs) + "."))
    body = "".join(p if p.startswith("<ul>") else f"<p>{p}</p>" for p in paragraphs)
    counts = Counter(s.reason for s in result.stops)
    stops = "; ".join(f"{reason.value.replace('_', ' ')}: {n:,}" for reason, n in sorted(
        counts.items(), key=lambda kv: kv[0].value))
    return (_seeds(result) + body + f"<p>{_e('Where the trace stopped, by reason: ' + (stops or 'nowhere'))}; "
            "every stop and cap is listed below. Methodology, measured accuracy, limits and provenance are in "
            "the appendices.</p>")
