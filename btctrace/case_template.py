"""``btctrace case new``: a case file to start a real case from, every field either filled or
written as a comment saying what it is for, so the investigator edits a file rather than
remembering flags (issue 33). The text it writes is read back by :func:`btctrace.case.load_case`
before it is kept: a template that does not load is never written."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from btctrace.case import load_case
from btctrace.errors import CaseFileError, UsageProblem
from btctrace.exports.writing.atomic import check_target, write_text
from btctrace.providers.esplora.provider import DEFAULT_API_URL
from btctrace.tracing.result import TraceLimits
from btctrace.tracing.seeds import parse_seed

__all__ = ["CaseDraft", "case_template", "write_case_template"]

_CASE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_FALLBACK = "https://mempool.space/api"


def _toml(value: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's, DEL escaped too."""
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def _line(key: str, value: str, why: str) -> str:
    """``key = "value"`` when given, else the key commented out; *why* says what it is for."""
    return f"{key} = {_toml(value)}  # {why}" if value else f"# {key} = \"\"  # {why}"


@dataclass(frozen=True)
class CaseDraft:
    """What the investigator knows when opening a case."""

    case_id: str
    seeds: tuple[str, ...]
    title: str = ""
    examiner: str = ""
    agency: str = ""
    exhibit: str = ""
    kind: str = "ransomware"
    direction: str = "forward"
    api_urls: tuple[str, ...] = ()
    tag_paths: tuple[str, ...] = field(default_factory=tuple)


def _case_section(draft: CaseDraft) -> list[str]:
    return ["[case]", f"id = {_toml(draft.case_id)}",
            f"title = {_toml(draft.title or draft.case_id)}",
            f"kind = {_toml(draft.kind)}  # ransomware, extortion, fraud, theft...",
            "synthetic = false  # real chain data: the exhibits say so",
            _line("examiner", draft.examiner, "who examined the case, as the report names them"),
            _line("agency", draft.agency, "for whom"),
            _line("exhibit", draft.exhibit, "the exhibit reference the report carries"),
            '# report_date = "YYYY-MM-DD"  # the date the report is issued under (default: none shown)',
            '# description = """What happened, in the words the report should carry."""',
            "# What only the case file can say (the chain cannot): each victim's payment (txid or",
            "# address) and who holds the seeds. The exhibits mark these as the case file's, never the chain's.",
            "# victims = [\"<txid of a victim's payment>\"]",
            '# seed_owner = "the extortionist named in the ransom note"', ""]


def _trace_section(draft: CaseDraft) -> list[str]:
    limits = TraceLimits()
    return ["[trace]", f"seeds = [{', '.join(_toml(seed) for seed in draft.seeds)}]  # addresses, txids or txid:vout",
            f"direction = {_toml(draft.direction)}  # forward: where the money went; backward: where it came from",
            f"hops = {limits.hops}",
            f"max_transactions = {limits.max_transactions}  # a cap: every transfer it stops is recorded",
            f"large_address_tx_count = {limits.large_address_tx_count}  # a larger history is a service: not expanded",
            '# min_value = "0.0001"  # BTC; smaller transfers are recorded as stops, not followed',
            '# since = "2024-01-01"  # UTC; transactions outside the window are recorded as stops',
            '# until = "2024-12-31"',
            '# stop_categories = ["exchange"]  # stop at addresses tagged with these categories',
            "# through_coinjoins = false  # true: follow through CoinJoins (flagged, taint becomes weak)", ""]


def _provider_section(draft: CaseDraft, cassette: str) -> list[str]:
    urls = draft.api_urls or (DEFAULT_API_URL,)
    fallbacks = list(urls[1:]) or [_FALLBACK]
    return ["[provider]", f"api_url = {_toml(urls[0])}  # an Esplora API; credentials as https://user:pass@host/api",
            (f"fallback_urls = [{', '.join(_toml(u) for u in fallbacks)}]  # asked when the one in use fails"
             if draft.api_urls[1:] else f"# fallback_urls = [{_toml(_FALLBACK)}]  # asked when the one in use fails"),
            "# cross_check = 20  # compare this many transactions across every explorer after the trace",
            f"cassette = {_toml(cassette)}  # the recorded answers: the evidence "
            "(btctrace case run --record)", ""]


def _rest(draft: CaseDraft) -> list[str]:
    tags = (f"paths = [{', '.join(_toml(p) for p in draft.tag_paths)}]" if draft.tag_paths else
            '# paths = ["seed-owner.yaml"]  # your own TagPacks (e.g. naming the seed\'s owner); '
            "the store's tags are used too")
    return ["[tags]", tags, "", "[notes]",
            '# file = "notes.json"  # the analyst\'s notes (downloaded from explorer.html), shown as theirs', "",
            "[prices]", '# table = "prices.csv"  # your daily USD prices: a second opinion on the explorer\'s', "",
            "[proofs]", "# all = true  # a Merkle proof for every traced transaction, not only the findings'",
            "# require = true  # refuse the run when a block or transaction cannot be proven"]


def case_template(draft: CaseDraft, cassette: str = "") -> str:
    """The case file's text for *draft*, after its id and seeds were checked; *cassette* is
    where the recording goes, relative to the case file (default: the project's
    ``../cassettes/<id>.json``)."""
    if not _CASE_ID.fullmatch(draft.case_id):
        raise UsageProblem(f"case id {draft.case_id!r} is not usable",
                           "Use letters, digits, '.', '_' or '-' (at most 64), starting with a letter or digit")
    if not draft.seeds:
        raise UsageProblem("a case needs at least one seed", "Give the ransom address (or a txid, or txid:vout)")
    for seed in draft.seeds:
        parse_seed(seed)
    header = [f"# Case file for {draft.case_id}, written by btctrace case new: edit it, then",
              "#   btctrace case run <this file> --live --record   (the first time: records the evidence)",
              "#   btctrace case run <this file>                   (later: replays it offline)", ""]
    return "\n".join([*header, *_case_section(draft), *_trace_section(draft),
                      *_provider_section(draft, cassette or f"../cassettes/{draft.case_id}.json"),
                      *_rest(draft)]) + "\n"


def write_case_template(draft: CaseDraft, path: Path, force: bool = False) -> Path:
    """Write :func:`case_template` to *path* (an existing file only with *force*), after reading
    it back as a case file."""
    if path.exists() and not force:
        raise UsageProblem(f"{path} exists", "Give another path, or add --force to replace it")
    check_target(path)
    # A case file in a project's cases/ records into its cassettes/; anywhere else, beside itself.
    cassettes = "../cassettes" if path.parent.name == "cases" else "cassettes"
    text = case_template(draft, f"{cassettes}/{draft.case_id}.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text(path, text)
    try:
        load_case(path)
    except CaseFileError:
        path.unlink()
        raise
    return path
