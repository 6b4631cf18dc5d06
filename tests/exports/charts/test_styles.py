"""Chart text helpers: cut at word boundaries, exact BTC without trailing zeros."""

import pytest

from btctrace.exports.charts.styles import short_btc, shorten_words, wrap_words


@pytest.mark.parametrize("text, limit, expected", [
    ("Northwind Exchange (synthetic)", 22, "Northwind Exchange…"),
    ("Northwind Exchange (synthetic)", 40, "Northwind Exchange (synthetic)"),
    ("Supercalifragilisticexpialidocious", 10, "Supercali…"),  # one long word: cut inside, the only way
    ("  spaces   inside  ", 20, "spaces inside"),
])
def test_shorten_words_cuts_between_words(text, limit, expected):
    assert shorten_words(text, limit) == expected
    assert len(shorten_words(text, limit)) <= limit


def test_wrap_words_keeps_words_whole_and_marks_what_is_cut():
    assert wrap_words("Northwind Exchange (synthetic)", 16) == "Northwind\nExchange…"
    assert wrap_words("Northwind Exchange (synthetic)", 16, lines=3) == "Northwind\nExchange\n(synthetic)"
    assert wrap_words("short", 16) == "short"


@pytest.mark.parametrize("sats, text", [(205_000_000, "2.05 BTC"), (100_000_000, "1 BTC"), (1, "0.00000001 BTC"),
                                        (210_000_000_000_000, "2,100,000 BTC"), (0, "0 BTC")])
def test_short_btc_is_exact(sats, text):
    assert short_btc(sats) == text
