"""Esplora HTTP client: URL building, status handling and pagination. Returns raw JSON.

Endpoints and traps from Blockstream ``esplora/API.md`` and ``electrs/src/rest.rs``
(see ``explorer-apis.md`` §1): ``/tx/:txid`` answers 404 for unknown ids while
``/tx/:txid/status`` and ``/outspend/:vout`` answer 200, so existence is only ever decided
by ``/tx/:txid``; error bodies are ``text/plain``; address history is keyset-paginated,
25 confirmed transactions per page, newest first.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, Iterator

from btctrace.errors import BadResponse, NotFound
from btctrace.providers.base import ESPLORA_CHAIN_PAGE_SIZE
from btctrace.providers.http import HttpFetcher, HttpResponse

__all__ = ["EsploraClient"]

_MAX_ERROR_TEXT = 200


class EsploraClient:
    """Raw-JSON access to one Esplora base URL (e.g. ``https://blockstream.info/api``)."""

    def __init__(self, api_url: str, fetcher: HttpFetcher) -> None:
        self.api_url = api_url.rstrip("/")
        self.fetcher = fetcher

    def _json(self, path: str, kind: str = "", ident: str = "") -> Any:
        response = self.fetcher.get(f"{self.api_url}{path}")
        if response.status == 404 and kind:
            raise NotFound(response.url, kind, ident)
        if response.status != 200:
            raise BadResponse(response.url, response.status, _error_text(response))
        try:
            return json.loads(response.text)
        except ValueError as exc:
            raise BadResponse(response.url, 200, f"the body is not JSON ({_error_text(response)})") from exc

    def tx(self, txid: str) -> Any:
        return self._json(f"/tx/{txid}", "transaction", txid)

    def outspends(self, txid: str) -> Any:
        return self._json(f"/tx/{txid}/outspends", "transaction", txid)

    def address(self, address: str) -> Any:
        return self._json(f"/address/{address}", "address", address)

    def historical_price(self, timestamp: int) -> Any | None:
        """mempool.space ``/api/v1/historical-price?currency=USD&timestamp=T`` (the latest
        price before T); None where the explorer has no such endpoint (404 or 400)."""
        response = self.fetcher.get(f"{self.api_url}/v1/historical-price?currency=USD&timestamp={timestamp}")
        if response.status in (400, 404):
            return None
        if response.status != 200:
            raise BadResponse(response.url, response.status, _error_text(response))
        try:
            return json.loads(response.text, parse_float=Decimal)
        except ValueError as exc:
            raise BadResponse(response.url, 200, f"the body is not JSON ({_error_text(response)})") from exc

    def address_txs_pages(self, address: str) -> Iterator[list[Any]]:
        """Pages of the address history, newest first: ``/txs`` (mempool plus the first 25
        confirmed), then ``/txs/chain/:last_seen_txid`` until a page has fewer than 25."""
        page = self._page(f"/address/{address}/txs")
        yield page
        confirmed = [tx for tx in page if (tx.get("status") or {}).get("confirmed")]
        while len(confirmed) >= ESPLORA_CHAIN_PAGE_SIZE:
            last_seen = confirmed[-1]["txid"]
            page = self._page(f"/address/{address}/txs/chain/{last_seen}")
            yield page
            confirmed = page

    def _page(self, path: str) -> list[Any]:
        page = self._json(path)
        if not isinstance(page, list) or not all(isinstance(tx, dict) and "txid" in tx for tx in page):
            raise BadResponse(f"{self.api_url}{path}", 200, "an address history page should be a JSON array of transactions")
        return page


def _error_text(response: HttpResponse) -> str:
    text = " ".join(response.text.split())
    if len(text) > _MAX_ERROR_TEXT:
        text = text[:_MAX_ERROR_TEXT] + "…"
    return repr(text) if text else "empty body"
