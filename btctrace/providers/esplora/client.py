"""Esplora HTTP client: URL building, status handling and pagination. Returns raw JSON.

Endpoints and traps from Blockstream ``esplora/API.md`` and ``electrs/src/rest.rs``
(see ``explorer-apis.md`` §1): ``/tx/:txid`` answers 404 for unknown ids while
``/tx/:txid/status`` and ``/outspend/:vout`` answer 200, so existence is only ever decided
by ``/tx/:txid``; error bodies are ``text/plain``; address history is keyset-paginated,
25 confirmed transactions per page, newest first.
"""

from __future__ import annotations

from decimal import Decimal
from functools import partial
from typing import Any, Iterator

from btctrace import safejson
from btctrace.errors import BadResponse, IncompleteHistory, NotFound
from btctrace.providers.base import ESPLORA_CHAIN_PAGE_SIZE
from btctrace.providers.http import Decoder, HttpFetcher, error_text

__all__ = ["EsploraClient"]

_decode_prices = partial(safejson.loads, parse_float=Decimal)


class EsploraClient:
    """Raw-JSON access to one Esplora base URL (e.g. ``https://blockstream.info/api``)."""

    def __init__(self, api_url: str, fetcher: HttpFetcher) -> None:
        self.api_url = api_url.rstrip("/")
        self.fetcher = fetcher

    def _json(self, path: str, kind: str = "", ident: str = "", fresh: bool = False,
              decode: Decoder = safejson.loads, keep_text: bool = True) -> Any:
        response = self.fetcher.get(f"{self.api_url}{path}", decode=decode, fresh=fresh, keep_text=keep_text)
        if response.status == 404 and kind:
            raise NotFound(response.url, kind, ident)
        if response.status != 200:
            raise BadResponse(response.url, response.status, error_text(response.text))
        return response.data

    def tx(self, txid: str, fresh: bool = False) -> Any:
        return self._json(f"/tx/{txid}", "transaction", txid, fresh, keep_text=False)  # the provider keeps the Tx

    def tip_height(self) -> int:
        """The height of the explorer's best block (``/blocks/tip/height``, a bare number)."""
        height = self._json("/blocks/tip/height")
        if not isinstance(height, int) or isinstance(height, bool) or height < 0:
            raise BadResponse(f"{self.api_url}/blocks/tip/height", 200, f"not a block height: {str(height)[:40]!r}")
        return height

    def outspends(self, txid: str, fresh: bool = False) -> Any:
        return self._json(f"/tx/{txid}/outspends", "transaction", txid, fresh, keep_text=False)  # kept by the provider

    def address(self, address: str, fresh: bool = False) -> Any:
        return self._json(f"/address/{address}", "address", address, fresh)

    def historical_price(self, timestamp: int, fresh: bool = False) -> Any | None:
        """mempool.space ``/api/v1/historical-price?currency=USD&timestamp=T`` (the latest
        price before T); None where the explorer has no such endpoint (404 or 400)."""
        return self._optional(f"/v1/historical-price?currency=USD&timestamp={timestamp}", _decode_prices, fresh)

    def block_header(self, block_hash: str, fresh: bool = False) -> str | None:
        """``/block/:hash/header``: the 80-byte header as hex (``text/plain``); None where the
        explorer serves no headers or does not know the block (404 or 400)."""
        return self._optional(f"/block/{block_hash}/header", str, fresh)

    def merkle_proof(self, txid: str, fresh: bool = False) -> Any | None:
        """``/tx/:txid/merkle-proof``: ``{block_height, merkle, pos}`` (Electrum's format);
        None where the explorer serves no proofs or the transaction is unconfirmed (404 or 400)."""
        return self._optional(f"/tx/{txid}/merkle-proof", safejson.loads, fresh)

    def block_txids(self, block_hash: str, fresh: bool = False) -> Any | None:
        """``/block/:hash/txids``: every txid of the block, in order; None where not served."""
        return self._optional(f"/block/{block_hash}/txids", safejson.loads, fresh)

    def _optional(self, path: str, decode: Decoder, fresh: bool) -> Any | None:
        """The decoded answer at *path*, or None where the explorer has no such endpoint or
        thing (404 or 400): an answer that some explorers do not give."""
        response = self.fetcher.get(f"{self.api_url}{path}", decode=decode, fresh=fresh)
        if response.status in (400, 404):
            return None
        if response.status != 200:
            raise BadResponse(response.url, response.status, error_text(response.text))
        return response.data

    def first_history_page(self, address: str, fresh: bool = False) -> list[Any]:
        """``/address/:a/txs``: up to 50 mempool and the newest 25 confirmed transactions."""
        return self._page(f"/address/{address}/txs", fresh)

    def address_txs_pages(self, address: str, confirmed_count: int | None = None,
                          fresh: bool = False) -> Iterator[list[Any]]:
        """Pages of the address history, newest first: ``/txs`` (mempool plus the first 25
        confirmed), then ``/txs/chain/:last_seen_txid`` until a page has fewer than 25.

        With *confirmed_count* (the explorer's own ``chain_stats.tx_count``), a short page
        before that many were listed (an empty page mid-paging, or the empty page electrs
        gives for an unknown ``last_seen_txid``) is asked once more, then refused with
        :class:`IncompleteHistory`: a history is never silently cut short. *fresh* asks every
        page again (after a page was refused)."""
        def cut_short(confirmed: list[Any]) -> bool:
            return confirmed_count is not None and len(confirmed) < ESPLORA_CHAIN_PAGE_SIZE and \
                listed + len(confirmed) < confirmed_count

        path, listed = f"/address/{address}/txs", 0
        while True:
            page = self._page(path, fresh)
            confirmed = _confirmed(page)
            if cut_short(confirmed):  # asked once more, fresh, before it is refused
                page = self._page(path, fresh=True)
                confirmed = _confirmed(page)
                if cut_short(confirmed):
                    raise IncompleteHistory(f"{self.api_url}{path}", address, listed + len(confirmed), confirmed_count)
            yield page
            listed += len(confirmed)
            if len(confirmed) < ESPLORA_CHAIN_PAGE_SIZE:
                return
            path = f"/address/{address}/txs/chain/{confirmed[-1]['txid']}"

    def _page(self, path: str, fresh: bool = False) -> list[Any]:
        page = self._json(path, fresh=fresh)
        if not isinstance(page, list) or not all(isinstance(tx, dict) and "txid" in tx for tx in page):
            raise BadResponse(f"{self.api_url}{path}", 200, "an address history page should be a JSON array of transactions")
        return page


def _confirmed(page: list[Any]) -> list[Any]:
    return [tx for tx in page if (tx.get("status") or {}).get("confirmed")]
