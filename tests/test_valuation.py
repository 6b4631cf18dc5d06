"""USD values: one price request per block hour, recorded like every response; n/a (never 0)
where the explorer has no prices; mempool.space's 0 and -1 placeholders are no price."""

from decimal import Decimal

import pytest

from btctrace.providers.esplora.mapping import price_from_json
from btctrace.valuation import NOT_AVAILABLE, Prices


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
    import json

    valuation = json.loads((demo_out / "trace.json").read_text())["valuation"]
    assert valuation["requests"] > 0 and valuation["note"] == ""
    assert all(entry["price"] != NOT_AVAILABLE for entry in valuation["usd_per_btc"])


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory):
    from tests.cli.conftest import DEMO_CASE, invoke

    out = tmp_path_factory.mktemp("valuation") / "demo"
    assert invoke("case", "run", DEMO_CASE, "--out", out, "-q").exit_code == 0
    return out
