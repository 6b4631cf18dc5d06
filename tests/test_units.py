import pytest

from btctrace.units import format_btc, format_utc, parse_btc, parse_utc


@pytest.mark.parametrize("sats, text", [(0, "0.00000000"), (1, "0.00000001"), (7_500_030_000, "75.00030000"),
                                        (-1_693, "-0.00001693"), (2_100_000_000_000_000, "21000000.00000000")])
def test_format_btc_is_exact(sats, text):
    assert format_btc(sats) == text
    assert parse_btc(text) == sats


def test_format_btc_refuses_floats():
    with pytest.raises(TypeError):
        format_btc(0.1)


@pytest.mark.parametrize("text", ["0.000000001", "abc", "", "nan", "inf"])
def test_parse_btc_rejects_sub_satoshi_and_garbage(text):
    with pytest.raises(ValueError):
        parse_btc(text)


def test_utc_round_trip_of_the_colonial_payment_time():
    assert parse_utc("2021-05-08T17:12:57Z") == 1620493977
    assert format_utc(1620493977) == "2021-05-08T17:12:57Z"
    assert parse_utc("2021-05-08") == 1620432000
    assert format_utc(None) == ""
