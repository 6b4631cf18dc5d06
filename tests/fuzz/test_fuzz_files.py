"""Property-based tests over files btctrace reads: case files (missing, wrong-type and extra
fields) and cassettes (corrupt JSON, wrong schema, missing interactions, altered bodies).
Whatever is wrong, the answer is a case or a replayed trace, or one clear BtctraceError:
never another exception."""

import json
import random
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from btctrace.cache.cassettes import Cassette, ReplayAdapter
from btctrace.case import load_case
from btctrace.errors import BtctraceError, CaseFileError, CassetteError
from btctrace.providers.esplora.provider import EsploraProvider
from btctrace.providers.http import HttpFetcher, RetryPolicy, make_session
from btctrace.tags import load_tagpacks
from btctrace.tracing.walk import walk
from btctrace.valuation import fetch_prices
from tests.conftest import PROJECT_ROOT
from tests.fuzz.strategies import toml_document, toml_value

DEMO = load_case(PROJECT_ROOT / "cases" / "demo-ransom.toml")
DEMO_CASSETTE = DEMO.cassette
DEMO_TAGS = load_tagpacks(list(DEMO.tag_paths))
VALID_CASE = {
    "case": {"id": "c1", "title": "t", "synthetic": True, "description": "d"},
    "trace": {"seeds": ["15JFh88FcE4WL6qeMLgX5VEAFCbRXjc9fr"], "direction": "forward", "hops": 3,
              "min_value": "0.001", "since": "2021-05-01", "until": "2021-06-30", "max_transactions": 10,
              "large_address_tx_count": 100, "max_seed_history": 100, "max_fan_out": 50, "network": "mainnet",
              "stop_categories": ["exchange"], "through_coinjoins": False, "peel_continuation_only": False,
              "chart_by_time": False},
    "provider": {"api_url": "https://blockstream.info/api", "fallback_urls": ["https://mempool.space/api"],
                 "cross_check": 2, "cassette": "c.json", "rate": 1, "workers": 2},
    "clustering": {"collapse_threshold": 10, "allow_collapse": False, "change": True},
    "tags": {"paths": ["tags"]},
}
FIELDS = [(section, key) for section, fields in VALID_CASE.items() for key in fields]


@st.composite
def case_documents(draw):
    sections = json.loads(json.dumps(VALID_CASE))
    for section, key in draw(st.lists(st.sampled_from(FIELDS), max_size=4, unique=True)):
        if draw(st.booleans()):
            del sections[section][key]  # a missing field
        else:
            sections[section][key] = draw(toml_value)  # a wrong type or a wrong value
    for _ in range(draw(st.integers(0, 2))):  # extra fields and sections
        section = draw(st.sampled_from([*VALID_CASE, "extra"]))
        sections.setdefault(section, {})[draw(st.from_regex(r"[a-z_]{1,12}", fullmatch=True))] = draw(toml_value)
    if draw(st.integers(0, 9)) == 0:
        del sections[draw(st.sampled_from(list(VALID_CASE)))]
    return toml_document(sections)


@settings(max_examples=400, deadline=None)
@given(case_documents())
def test_any_case_file_is_a_case_or_one_clear_error(document):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "case.toml"
        path.write_text(document, encoding="utf-8")
        try:
            case = load_case(path)
        except CaseFileError as exc:
            assert "\n" not in exc.user_message and str(path) in exc.user_message
            return
    assert case.id == "c1" or case.id.replace("-", "").replace("_", "").replace(".", "").isalnum()
    assert all(not Path(p).is_absolute() or str(p).startswith(folder) for p in case.tag_paths)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_as_a_case_file_are_one_clear_error(data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "case.toml"
        path.write_bytes(data)
        try:
            load_case(path)
        except CaseFileError as exc:
            assert "\n" not in exc.user_message


def _replay(path: Path) -> None:
    """Replay the demo trace (and its price look-ups) from the cassette at *path*."""
    cassette = Cassette.load(path)
    fetcher = HttpFetcher(make_session(ReplayAdapter(cassette), trust_env=False), policy=RetryPolicy(attempts=1))
    provider = EsploraProvider(DEMO.api_url, fetcher)
    fetch_prices(provider, walk(provider, DEMO.seeds, DEMO.direction, DEMO.limits, tags=DEMO_TAGS))


def _mutate(data: dict, rng: random.Random, kind: str, junk: object) -> str:
    interactions = data["interactions"]
    item = interactions[rng.randrange(len(interactions))]
    if kind == "drop":
        for _ in range(rng.randint(1, 5)):
            interactions.pop(rng.randrange(len(interactions)))
    elif kind == "body":
        item["response"]["body"]["string"] = junk if isinstance(junk, str) else json.dumps(junk)
    elif kind == "json-field":
        body = json.loads(item["response"]["body"]["string"])
        target = body[0] if isinstance(body, list) and body else body
        if isinstance(target, dict) and target:
            target[rng.choice(sorted(target))] = junk
        item["response"]["body"]["string"] = json.dumps(body)
    elif kind == "schema":
        container = rng.choice([data, item, item["request"], item["response"], item["response"]["status"]])
        container[rng.choice(sorted(container))] = junk
    elif kind == "status":
        item["response"]["status"]["code"] = rng.choice([200, 204, 301, 404, 418, 429, 500, 503, 999])
    return json.dumps(data)


junk_values = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                                     st.text(max_size=20)),
                           lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                   st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                           max_leaves=6)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["drop", "body", "json-field", "schema", "status", "truncate"]), st.integers(0, 2**32),
       junk_values)
def test_a_damaged_cassette_replays_or_fails_with_one_clear_error(kind, seed, junk):
    text = DEMO_CASSETTE.read_text(encoding="utf-8")
    rng = random.Random(seed)
    damaged = text[: rng.randrange(len(text))] if kind == "truncate" else _mutate(json.loads(text), rng, kind, junk)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "c.json"
        path.write_text(damaged, encoding="utf-8")
        try:
            _replay(path)
        except BtctraceError as exc:
            assert "\n" not in exc.user_message
            if kind == "truncate":
                assert isinstance(exc, CassetteError)
