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


def test_times_read_by_a_person_keep_their_iso_form_beside_them():
    from btctrace.units import readable_date, readable_utc

    assert readable_utc(1620493977) == "8 May 2021, 17:12 UTC (2021-05-08T17:12:57Z)"
    assert readable_utc(None) == "unconfirmed"
    assert readable_date("2026-12-04") == "4 December 2026 (2026-12-04)"


@pytest.mark.parametrize("number, noun, plural, text", [
    (1, "hop", None, "1 hop"), (0, "hop", None, "0 hops"), (2, "address", "addresses", "2 addresses"),
    (1, "address", "addresses", "1 address"), (12_345, "payment", None, "12,345 payments")])
def test_counts_are_singular_or_plural_never_both(number, noun, plural, text):
    from btctrace.units import counted

    assert counted(number, noun, plural) == text
