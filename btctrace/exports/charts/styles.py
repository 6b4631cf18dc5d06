"""What every chart and graph file shares: the role colours and markers, the printed page a
chart must fit, text shortened at word boundaries, and saving a figure with fixed bytes.

Page geometry: A4 (210 × 297 mm) and US Letter (8.5 × 11 in) both leave at least 7.3 × 10.0 in
inside 12 mm margins, so a chart drawn at most :data:`PRINT_WIDTH_IN` × :data:`PRINT_HEIGHT_IN`
prints at 100 % on either paper (with its heading), and its font sizes are its printed sizes.
"""

from __future__ import annotations

import re
from pathlib import Path

from btctrace.exports.charts.figure_files import printable
from btctrace.exports.writing.atomic import write_atomically
from btctrace.graph import schema as S

__all__ = ["ROLE_STYLES", "PRINT_WIDTH_IN", "PRINT_HEIGHT_IN", "FONT", "shorten_words", "wrap_words", "short_id", "short_btc",
           "save_figure"]

# style -> (face colour, marker, legend text); styles come from flow_display.display_graph
ROLE_STYLES = {
    S.ROLE_SEED: ("#d62728", "*", "seed (trace start)"),
    S.ROLE_PAYER: ("#1f77b4", "o", "paid the seed"),
    "case_victim": ("#1f77b4", "v", "victim (per the case file)"),
    "seed_cluster": ("#e377c2", "o", "in the seed's cluster"),
    S.ROLE_INTERMEDIARY: ("#ff7f0e", "o", "intermediary"),
    "service": ("#9467bd", "D", "exchange / service"),
    S.ROLE_ENDPOINT: ("#c5b0d5", "D", "endpoint (trace limit)"),
    S.ROLE_HOLDING: ("#2ca02c", "s", "holding (unspent)"),
    S.ROLE_COUNTERPARTY: ("#bbbbbb", "o", "counterparty (not traced)"),
    "tx": ("#444444", "s", "transaction"),
    "peel": ("#ff7f0e", "s", "peel-chain step"),
    "peel_chain": ("#ff7f0e", "D", "peel chain (one box, every hop in peel_chains.csv)"),
    "coinjoin": ("#000000", "h", "CoinJoin"),
}
PRINT_WIDTH_IN = 7.2
PRINT_HEIGHT_IN = 9.2  # leaves room for a heading and a caption on the page
FONT = "DejaVu Sans"
_IDENTIFIER = re.compile(r"[A-Za-z0-9]{20,}")  # an address or txid (never a word of a label)


def shorten_words(text: str, limit: int) -> str:
    """*text* cut to at most *limit* characters at a word boundary, with "…" when cut (a word
    longer than the limit is cut inside, the only way to fit it). The full text is in the tables."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-(") + "…"


def _fitted_word(word: str, width: int) -> str:
    """*word* within *width* characters: an identifier (address, txid) as head…tail, never
    broken across lines (a line break inside one prints another identifier); any other word
    cut with "…"."""
    if len(word) <= width:
        return word
    if _IDENTIFIER.fullmatch(word):
        head = max(1, (width - 1) * 3 // 5)
        return short_id(word, head, max(1, width - 1 - head), keep=width)
    return word[:width - 1] + "…"


def wrap_words(text: str, width: int, lines: int = 2) -> str:
    """*text* on at most *lines* lines of *width* characters, broken between words only; a word
    too long for a line is shortened, never split (:func:`_fitted_word`); the last line shortened
    with "…" when it does not all fit (:func:`shorten_words`)."""
    import textwrap

    words = " ".join(_fitted_word(word, width) for word in text.split())
    wrapped = textwrap.wrap(words, width, break_long_words=False, break_on_hyphens=False)
    if len(wrapped) > lines:
        wrapped = wrapped[:lines - 1] + [shorten_words(" ".join(wrapped[lines - 1:]), width)]
    return "\n".join(wrapped)


def short_id(text: str, head: int, tail: int, keep: int) -> str:
    """An address or txid longer than *keep* characters shortened to its first *head* and last
    *tail* ("bc1qxj…57h9d"). The full identifier is always in the tables."""
    return text if len(text) <= keep else f"{text[:head]}…{text[-tail:]}"


def short_btc(sats: int) -> str:
    """Satoshis as BTC for a chart label, exact, without trailing zeros ("2.05 BTC")."""
    whole, fraction = divmod(sats, 100_000_000)
    digits = f"{fraction:08d}".rstrip("0")
    return f"{whole:,}.{digits} BTC" if digits else f"{whole:,} BTC"


def save_figure(figure, paths: list[Path], tight: bool = True) -> None:
    """Save in each format by suffix, with no date in SVG/PDF metadata and a fixed SVG hash salt,
    so the same chart gives the same bytes."""
    import matplotlib

    printable(figure)
    with matplotlib.rc_context({"svg.hashsalt": "btctrace", "svg.fonttype": "path"}):
        for path in paths:
            metadata = {"Date": None} if path.suffix == ".svg" else \
                {"CreationDate": None, "ModDate": None} if path.suffix == ".pdf" else {"Software": None}
            write_atomically(path, lambda temporary: figure.savefig(
                temporary, format=path.suffix.lstrip("."), metadata=metadata,
                bbox_inches="tight" if tight else None))
