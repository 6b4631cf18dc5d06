"""USD values: one price request per block hour, recorded like every response; n/a (never 0)
where the explorer has no prices; mempool.space's 0 and -1 placeholders are no price."""

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest

from btctrace.errors import AnswerRefused, UsageProblem
from btctrace.price_table import load_price_table
from btctrace.providers.esplora.mapping import price_from_json
from btctrace.providers.ledger import AnswerLedger
from btctrace.valuation import NOT_AVAILABLE, Prices, fetch_prices


def test_usd_is_exact_to_the_cent_and_na_without_a_price():
    prices = Prices(by_hour={1_620_493_200: Decimal("57123.45")})
    assert prices.usd(7_500_030_000, 1_620_493_977) == "4284275.89"  # 75.0003 BTC × 57,123.45 = 4,284,275.887
    assert prices.usd(100, 1_620_500_000) == NOT_AVAILABLE
    assert prices.usd(100, None) == NOT_AVAILABLE


@pytest.mark.parametrize("answer, price", [
    ({"prices": [{"time": 1, "USD": Decimal("64000.5")}], "exchangeRates": {}}, Decimal("64000.5")),
    ({"prices": [{"time": 1279497600, "USD": 0}]}, None),
    ({"prices": [{"time": 1, "USD": -1}]}, None),
    ({"prices": []}, None),
    (None, None),
])
def test_price_answers(answer, price):
    assert price_from_json(answer, 1_620_000_000) == price


def test_demo_case_has_synthetic_prices(demo_out):
    valuation = json.loads((demo_out / "trace.json").read_text())["valuation"]
    assert valuation["requests"] > 0 and valuation["note"] == ""
    assert all(entry["price"] != NOT_AVAILABLE for entry in valuation["usd_per_btc"])


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory):
    from tests.cli.conftest import DEMO_CASE, invoke

    out = tmp_path_factory.mktemp("valuation") / "demo"
    assert invoke("case", "run", DEMO_CASE, "--out", out, "-q").exit_code == 0
    return out


class _Explorer:
    """Prices by hour from a function; what a provider's get_price_usd answers."""

    api_url = "http://explorer.test/api"

    def __init__(self, price_of):
        self.price_of = price_of
        self.ledger = AnswerLedger()

    def get_price_usd(self, timestamp):
        return self.price_of(timestamp)


def _result_at(*times):
    from btctrace.model import Tx, TxStatus
    from btctrace.tracing.result import Direction, TraceLimits, TraceResult, TracedTx

    result = TraceResult(Direction.FORWARD, (), TraceLimits(), "")
    for n, moment in enumerate(times):
        tx = Tx(f"{n:064x}", 2, 0, 100, 400, 0, (), (), TxStatus(True, 700_000 + n, "00" * 32, moment))
        result.txs[tx.txid] = TracedTx(tx, 0)
    return result


PAID = 1_620_493_977  # the Colonial Pipeline ransom payment's block time


def test_a_price_ten_times_its_neighbours_is_refused_naming_both():
    hour = PAID // 3600 * 3600
    explorer = _Explorer(lambda t: Decimal("571234.50") if t == hour + 1 else Decimal("57000"))
    with pytest.raises(AnswerRefused) as raised:
        fetch_prices(explorer, _result_at(PAID))
    assert raised.value.check == "price_in_line" and "571234.50" in raised.value.message and "57000" in raised.value.message


def test_prices_in_line_pass_and_are_counted():
    explorer = _Explorer(lambda t: Decimal(50_000 + t % 7_000))
    prices = fetch_prices(explorer, _result_at(PAID, PAID + 86_400 * 3))
    assert len(prices.by_hour) == 2 and prices.requests == 2 + 3  # two hours; the days around them, one shared
    assert explorer.ledger.counts["price_in_line"] == 2


def test_the_investigators_table_disputes_a_price_beside_its_amount(tmp_path):
    table = tmp_path / "prices.csv"
    table.write_text("date,usd\n2021-05-08,57000\n2021-05-11,40000\n")
    explorer = _Explorer(lambda t: Decimal("57300") if t < PAID + 86_400 else Decimal("55000"))
    prices = fetch_prices(explorer, _result_at(PAID, PAID + 86_400 * 3, PAID + 86_400 * 9), load_price_table(table))
    later, missing = PAID + 86_400 * 3, PAID + 86_400 * 9
    assert prices.note_of(PAID) == ""  # 0.5 % apart: an hourly and a daily price
    assert prices.note_of(later).startswith("disputed: the explorer's USD 55000 per BTC is +37.5 % off")
    assert prices.note_of(missing) == "" and prices.second[missing // 3600 * 3600] is None
    assert prices.usd(100_000_000, later) == "55000.00"  # the amount stands, its doubt beside it


@pytest.mark.parametrize("text, problem", [
    ("day,price\n2021-05-08,1\n", "first line"),
    ("date,usd\n2021-13-08,57000\n", "line 2"),
    ("date,usd\n2021-05-08,-5\n", "not a positive number"),
    ("date,usd\n2021-05-08,nan\n", "not a positive number"),
    ("date,usd\n2021-05-08,1\n2021-05-08,2\n", "a second price"),
    ("date,usd\n2021-05-08,1,extra\n", "two columns"),
])
def test_a_bad_price_table_is_refused_naming_its_line(tmp_path, text, problem):
    table = tmp_path / "prices.csv"
    table.write_text(text)
    with pytest.raises(UsageProblem) as raised:
        load_price_table(table)
    assert problem in raised.value.message and "\n" not in raised.value.user_message


def test_the_demo_with_a_price_table_names_it_in_every_exhibit_and_the_manifest(tmp_path):
    from tests.cli.conftest import DEMO_CASE, invoke

    table = tmp_path / "prices.csv"
    days = (date(2024, 4, 1) + timedelta(days=n) for n in range(60))  # the demo's weeks, and more
    table.write_text("date,usd\n" + "".join(f"{day.isoformat()},1000\n" for day in days))
    out = tmp_path / "out"
    assert invoke("case", "run", DEMO_CASE, "--out", out, "-q", "--price-table", table).exit_code == 0
    valuation = json.loads((out / "trace.json").read_text())["valuation"]
    assert valuation["second_opinion"].startswith("prices.csv (sha256 ")
    assert all(e["disputed"].startswith("disputed:") for e in valuation["usd_per_btc"])
    subpoena = (out / "subpoena.csv").read_text()
    assert "usd_price_note" in subpoena.splitlines()[0] and "off the price table's USD 1000" in subpoena
    assert json.loads((out / "manifest.json").read_text())["price_table"]["sha256"]
    assert invoke("verify", out).exit_code == 0  # rerun with the same table: the same bytes
    table.write_text(table.read_text().replace("1000", "1001", 1))
    assert invoke("verify", out).exit_code != 0  # the table changed since: not the evidence of this run


def test_a_price_table_is_named_by_its_bytes_digest_whatever_its_line_ends(tmp_path):
    import hashlib

    table = tmp_path / "prices.csv"
    table.write_bytes(b"\xef\xbb\xbfdate,usd\r\n2021-05-08,57000\r\n")  # a spreadsheet's BOM and CRLF
    loaded = load_price_table(table)
    assert loaded.source == f"prices.csv (sha256 {hashlib.sha256(table.read_bytes()).hexdigest()})"
    assert loaded.on(PAID) == (PAID // 86_400 * 86_400, Decimal("57000"))
