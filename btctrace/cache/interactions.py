"""One recorded interaction, as the cassette, the journal and the evidence store keep it: the
request's canonical URI (credentials and secret query parameters removed, parameters sorted) and
the checks an interaction read back from a file must pass before anything uses it (vcrpy's
cassette schema: request method and URI, response status, headers and a text body; nesting
bounded, so a hostile file cannot exhaust the stack)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from btctrace.errors import CassetteError
from btctrace.urls import public_url

__all__ = ["MAX_DEPTH", "answer_of", "check_interaction", "normalise_uri", "within_depth"]



_PLAIN_URI = re.compile(r"https?://[a-z0-9.\-]+(:[1-9][0-9]{0,4})?(/[A-Za-z0-9._~\-/]*)?")


def normalise_uri(uri: str) -> str:
    """The URI as stored and looked up: credentials and secret query parameters removed,
    remaining parameters sorted. An URI with nothing to remove or sort (a lower-case host, a
    plain path, no query: nearly every Esplora request) is its own normal form."""
    plain = _PLAIN_URI.fullmatch(uri)
    if plain and (plain.group(1) is None or int(plain.group(1)[1:]) <= 65535):
        return uri
    parts = urlsplit(public_url(uri))  # credentials and secret parameters out (btctrace.urls)
    netloc = parts.hostname or ""
    if parts.port is not None:
        netloc = f"{netloc}:{parts.port}"
    query = sorted(parse_qsl(parts.query, keep_blank_values=True))
    return urlunsplit((parts.scheme, netloc, parts.path, urlencode(query), ""))


MAX_DEPTH = 16  # a vcrpy interaction nests 5 levels; bodies are strings


def within_depth(value: Any, limit: int = MAX_DEPTH) -> bool:
    """True when *value* nests no deeper than *limit* (iteratively: never a RecursionError)."""
    stack = [(value, 1)] if isinstance(value, (dict, list)) else []
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return False
        stack.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node)
                     if isinstance(child, (dict, list)))  # only containers nest: strings are not stacked
    return True


def answer_of(item: dict[str, Any]) -> tuple[int, str]:
    """What an interaction answered (its status and body): two recordings of one answer differ
    only in when they were fetched."""
    return int(item["response"]["status"]["code"]), item["response"]["body"]["string"]


def _header_value(value: Any) -> bool:
    """A header as vcrpy writes it: a string, or a non-empty list of strings."""
    return isinstance(value, str) or (isinstance(value, list) and bool(value) and all(isinstance(v, str) for v in value))


def check_interaction(path: Path, number: int, item: Any) -> tuple[str, str]:
    """The (METHOD, canonical URI) of interaction *number* read from *path*; a
    :class:`~btctrace.errors.CassetteError` naming it when it is not one vcrpy would write."""
    if not within_depth(item):
        raise CassetteError(str(path), f"interaction {number} nests deeper than {MAX_DEPTH} levels")
    try:
        request, response = item["request"], item["response"]
        method, uri = str(request["method"]).upper(), normalise_uri(str(request["uri"]))
        int(response["status"]["code"])
        body = response["body"]["string"]
    except (KeyError, TypeError, ValueError):
        raise CassetteError(str(path), f"interaction {number} lacks request method/uri or response status/body") from None
    if not isinstance(body, str):
        raise CassetteError(str(path), f"interaction {number} has a non-text body")
    headers = response.get("headers", {})
    if not isinstance(headers, dict) or not all(_header_value(v) for v in headers.values()) \
            or not isinstance(response["status"], dict) or not isinstance(response["status"].get("message", ""), str):
        raise CassetteError(str(path), f"interaction {number} has malformed response headers or status")
    return method, uri
