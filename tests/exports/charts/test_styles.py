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


def test_an_identifier_is_shortened_as_head_and_tail_never_broken_across_lines():
    """The Colonial Pipeline ransom address in a 16-character box: "ransom address 1" /
    "5JFh88FcE4WL6qe…" printed an address that is not the address."""
    wrapped = wrap_words("ransom address 15JFh88FcE4WL6qeMLgX5VEAFCbRXjc9fr", 16)
    assert wrapped == "ransom address\n15JFh88Fc…Xjc9fr"
    for line in wrapped.split("\n"):
        assert len(line) <= 16
    txid = "6a798026d44af27dbacd28ea21462808df8deca51794cec80c1b59e07ef924a2"
    assert wrap_words(f"tx {txid}", 40) == f"tx\n{txid[:23]}…{txid[-16:]}"
    assert wrap_words("Supercalifragilisticexpialidocious-service", 16) == "Supercalifragil…"
