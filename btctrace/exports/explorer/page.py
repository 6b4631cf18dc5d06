"""``explorer.html``: one self-contained page (no network access at all, forbidden by its
Content-Security-Policy; no CDN): the vendored Cytoscape.js and cytoscape-dagre (MIT, see
``vendor/VENDOR.json``), the explorer's script and style, and the trace's data as a JSON block
with ``</`` escaped. Inline scripts are allowed by their SHA-256 only. Same trace, same bytes.
"""

from __future__ import annotations

import base64
import hashlib
from importlib import resources
from typing import Any, Iterator

from btctrace import jsontext
from btctrace.exports.writing.safe_text import html_text, json_in_html

__all__ = ["EXPLORER_NAME", "VENDORED", "explorer_page", "explorer_pieces"]

EXPLORER_NAME = "explorer.html"
VENDORED = ("cytoscape.min.js", "cytoscape-dagre.min.js")
_CONTROLS = """<header><h1 id="title"></h1><p id="banner" class="banner" hidden></p>
<label>View <select id="view"><option value="entity">entities</option>
<option value="address">addresses and transactions</option></select></label>
<label>Layout <select id="layout"><option value="hop">by hop</option><option value="time">by time</option></select></label>
<label>Min BTC <input id="min-value" type="number" min="0" step="0.001" value="0"></label>
<label>Hops <input id="hop-min" type="number" min="0" value="0"> to <input id="hop-max" type="number" min="0"></label>
<label>From <input id="since" type="date"></label><label>to <input id="until" type="date"></label>
<button id="apply">Apply filters</button> <span id="shown"></span><br>
<input id="search" type="search" size="40" placeholder="address, txid or label">
<button id="search-button">Search</button> <span id="found"></span>
<button id="path">Path from the seed to the selected node</button> <span id="path-result"></span>
<button id="export-png">Export view as PNG</button></header>
<div id="graph"></div>
<aside><div id="panel">Click a node or an edge to see everything the trace knows about it.</div>
<h3>Analyst's note on the selected node</h3><textarea id="note-text" rows="3" cols="38"></textarea><br>
<input id="note-colour" type="color" value="#e0a800"> <button id="add-note">Add note</button>
<button id="export-notes">Download notes (JSON)</button>
<h3>Legend</h3><ul id="legend"></ul></aside>"""


def _asset(name: str) -> str:
    text = resources.files("btctrace.exports.explorer").joinpath(name).read_text(encoding="utf-8")
    if "</script" in text.lower():
        raise ValueError(f"{name} contains '</script' and cannot be inlined")  # a vendoring bug, not user input
    return text


def _hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"


def data_block(document: dict[str, Any]) -> str:
    """The document as JSON that cannot end the script element it sits in."""
    return "".join(map(json_in_html, jsontext.compact_pieces(document)))


def explorer_pieces(document: dict[str, Any]) -> Iterator[str]:
    """The whole page, piece by piece (the data block streamed: :class:`jsontext.Streamed`).
    Every ``<`` of the data is escaped (:func:`json_in_html`), piece by piece: a character
    cannot straddle two pieces."""
    scripts = [_asset(f"vendor/{name}") for name in VENDORED] + [_asset("app.js")]
    policy = ("default-src 'none'; script-src " + " ".join(_hash(s) for s in scripts) +
              "; style-src 'unsafe-inline'; img-src data: blob:; base-uri 'none'; form-action 'none'")
    yield (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
           f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
           f"<title>{html_text(document['title'])} - btctrace explorer</title><style>{_asset('app.css')}</style>"
           f'</head><body>{_CONTROLS}\n<script type="application/json" id="btctrace-data">')
    yield from map(json_in_html, jsontext.compact_pieces(document))
    yield "</script>\n" + "".join(f"<script>{s}</script>\n" for s in scripts) + "</body></html>\n"


def explorer_page(document: dict[str, Any]) -> str:
    """The whole page as one string (:func:`explorer_pieces` joined)."""
    return "".join(explorer_pieces(document))
