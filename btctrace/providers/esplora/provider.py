"""Esplora provider: client + mapper, returning model objects. Transactions seen in an
address history page are kept, so the walk never asks ``/tx/:txid`` for them again.

An address's counts come from the first page of its history when that page holds all of it
(fewer than 25 confirmed and 50 mempool transactions, electrs' page sizes): one request gives
the exact ``chain_stats`` *and* the transaction that spends the output being followed, so a
forward hop costs two requests (outspends, history) instead of three (outspends, stats, tx).
Only a busier address, or an empty first page, is asked ``/address/:a`` as well."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable

from btctrace.consensus.blocks import BlockHeader
from btctrace.errors import AnswerRefused
from btctrace.model import AddressHistory, AddressStats, Outspend, Tx
from btctrace.providers.base import ESPLORA_CHAIN_PAGE_SIZE, ESPLORA_MEMPOOL_PAGE_SIZE
from btctrace.providers.checks import CheckFailure
from btctrace.providers.computed import check_block_time, check_block_txids, check_header, check_merkle_proof
from btctrace.providers.esplora.client import EsploraClient
from btctrace.providers.esplora.mapping import (
    address_stats_from_history,
    address_stats_from_json,
    outspends_from_json,
    price_from_json,
    tx_from_json,
)
from btctrace.providers.http import HttpFetcher
from btctrace.providers.ledger import AnswerLedger

__all__ = ["DEFAULT_API_URL", "EsploraProvider"]

DEFAULT_API_URL = "https://blockstream.info/api"


# A JSON answer of the wrong shape fails in the mapper with one of these: it is the explorer's
# fault (or a damaged cassette's), never data, so it is refused.
_SHAPE_ERRORS = (ValueError, KeyError, TypeError, AttributeError, IndexError)


def _mapped(url: str, mapper: Callable[[Any], Any], raw: Any) -> Any:
    """*mapper* applied to *raw*; an answer it cannot read or that fails a check is refused."""
    try:
        return mapper(raw)
    except CheckFailure as exc:
        raise AnswerRefused(url, exc.check, exc.subject, exc.detail) from exc
    except _SHAPE_ERRORS as exc:
        detail = str(exc) if isinstance(exc, ValueError) else f"unexpected JSON shape ({type(exc).__name__}: {exc})"
        raise AnswerRefused(url, "shape", "the answer", detail[:300]) from exc


class EsploraProvider:
    """Implements :class:`btctrace.providers.base.Provider` over an Esplora API. Every answer
    passes the checks of *ledger* (shared by all explorers of a run) before it is returned;
    each method's *fresh* asks the explorer again (after an answer was refused)."""

    def __init__(self, api_url: str, fetcher: HttpFetcher, ledger: AnswerLedger | None = None,
                 seen: dict[str, Tx] | None = None, outspends: dict[str, tuple[Outspend, ...]] | None = None) -> None:
        self.client = EsploraClient(api_url, fetcher)
        self.api_url = self.client.api_url
        self.fetcher = fetcher
        self.ledger = ledger if ledger is not None else AnswerLedger()
        # Transactions this explorer sent (checked), and those any explorer of the run sent: a
        # transaction met in another explorer's history page is not asked again. A history
        # page is checked against this explorer's own copies. dict get/setdefault are atomic.
        self._txs: dict[str, Tx] = {}
        self._seen: dict[str, Tx] = seen if seen is not None else self._txs
        # Outspends answers as mapped, shared like *seen* (checked again on each use; after a
        # refusal or failure the next explorer is asked afresh).
        self._outspends: dict[str, tuple[Outspend, ...]] = outspends if outspends is not None else {}
        self._stats: dict[str, AddressStats] = {}  # the chain_stats this explorer gave, by address

    def request_count(self) -> int:
        return self.fetcher.answered()

    def fetch_tx(self, txid: str, fresh: bool = False) -> Tx:
        """The transaction *txid*, checked on its own; *fresh* asks the explorer again (after
        it denied knowing a transaction its own outspends named, or its answer was refused)."""
        tx = None if fresh else self._txs.get(txid) or self._seen.get(txid)
        if tx is None:
            tx = _mapped(f"{self.api_url}/tx/{txid}", lambda raw: self.ledger.accept_tx(tx_from_json(raw), txid, raw),
                         self.client.tx(txid, fresh))
            self._txs[txid] = tx
            self._seen.setdefault(txid, tx)
        return tx

    def own_answers(self, txid: str) -> tuple[Tx, tuple[Outspend, ...]]:
        """This explorer's own answers for *txid* (never another explorer's copy shared in the
        run): for the cross-check, which compares the explorers' answers."""
        tx = self._txs.get(txid) or self.fetch_tx(txid, fresh=True)
        return tx, self.fetch_outspends(txid, fresh=True)

    def get_tx(self, txid: str, fresh: bool = False) -> Tx:
        """The transaction *txid*, also checked against the rest of the trace and taken into it."""
        url = f"{self.api_url}/tx/{txid}"
        return _mapped(url, self.ledger.admit_tx, self.fetch_tx(txid, fresh))

    prefetch_tx = fetch_tx

    def fetch_outspends(self, txid: str, fresh: bool = False) -> tuple[Outspend, ...]:
        """Where each output of *txid* went, checked on its own: one entry per output (the
        transaction is fetched first when neither this explorer nor the trace has it yet)."""
        url = f"{self.api_url}/tx/{txid}/outspends"
        outspends = None if fresh else self._outspends.get(txid)
        if outspends is None:
            outspends = _mapped(url, outspends_from_json, self.client.outspends(txid, fresh))
            self._outspends[txid] = outspends
        tx = self._txs.get(txid) or self.ledger.admitted(txid) or self.fetch_tx(txid)
        return _mapped(url, lambda answer: self.ledger.accept_outspends(tx, answer), outspends)

    def get_outspends(self, txid: str, fresh: bool = False) -> tuple[Outspend, ...]:
        """The outspends of *txid*, also checked against the rest of the trace and taken into it."""
        url = f"{self.api_url}/tx/{txid}/outspends"
        return _mapped(url, lambda outspends: self.ledger.admit_outspends(txid, outspends),
                       self.fetch_outspends(txid, fresh))

    def prefetch_outspends(self, txid: str) -> tuple[Outspend, ...]:
        return self.fetch_outspends(txid)

    def get_address_stats(self, address: str, fresh: bool = False) -> AddressStats:
        """Counts of *address*: from its first history page when that is all of it, else
        from ``/address/:a`` (see the module docstring)."""
        page = self.client.first_history_page(address, fresh)
        txs = [self._keep(f"{self.api_url}/address/{address}/txs", raw, address) for raw in page]
        confirmed = sum(1 for tx in txs if tx.status.confirmed)
        if txs and confirmed < ESPLORA_CHAIN_PAGE_SIZE and len(txs) - confirmed < ESPLORA_MEMPOOL_PAGE_SIZE:
            _mapped(f"{self.api_url}/address/{address}/txs",
                    lambda page: self.ledger.accept_history(address, page), txs)
            return address_stats_from_history(address, txs)
        url = f"{self.api_url}/address/{address}"
        stats = _mapped(url, lambda raw: self.ledger.accept_stats(address_stats_from_json(raw), address),
                        self.client.address(address, fresh))
        self._stats[address] = stats
        return stats

    def _keep(self, url: str, raw: Any, address: str) -> Tx:
        """The transaction of a history page entry of *address*, checked once however many
        pages hold it (a copy met again must be the same); it must pay or spend *address*."""
        known = self._txs.get(raw.get("txid")) if isinstance(raw, dict) and isinstance(raw.get("txid"), str) else None
        if known is None:
            tx = _mapped(url, lambda entry: self.ledger.accept_tx(tx_from_json(entry), raw=entry), raw)
            known = self._txs.setdefault(tx.txid, tx)  # another page's copy may have been kept meanwhile
            self._seen.setdefault(tx.txid, known)
            copy, copy_raw = tx, None  # its scripts were just checked
        else:
            copy, copy_raw = _mapped(url, tx_from_json, raw), raw
        _mapped(url, lambda entry: self.ledger.accept_copy(known, entry, copy_raw), copy)
        _mapped(url, lambda entry: self.ledger.accept_history_entry(entry, address), known)
        return known

    def get_block_header(self, block_hash: str, fresh: bool = False) -> BlockHeader | None:
        """The header of block *block_hash*, proven (``header_proven``); None where the explorer
        serves none."""
        text = self.client.block_header(block_hash, fresh)
        if text is None:
            return None
        return _mapped(f"{self.api_url}/block/{block_hash}/header", lambda raw: check_header(raw, block_hash), text)

    def prove_block_times(self, header: BlockHeader, txs: list[Tx]) -> None:
        """``block_time_proven``: each of *txs* (confirmed in *header*'s block) was given its time."""
        for tx in txs:
            _mapped(f"{self.api_url}/block/{header.hash}/header", lambda t: check_block_time(t, header), tx)
            self.ledger.passed("block_time_proven", tx.txid)
        self.ledger.passed("header_proven", header.hash)

    def prove_in_block(self, tx: Tx, header: BlockHeader, fresh: bool = False) -> bool:
        """``merkle_proven``: *tx* is in *header*'s block by the explorer's Merkle proof; False
        where the explorer serves no proof for it."""
        proof = self.client.merkle_proof(tx.txid, fresh)
        if proof is None:
            return False
        _mapped(f"{self.api_url}/tx/{tx.txid}/merkle-proof", lambda raw: check_merkle_proof(tx, raw, header), proof)
        self.ledger.passed("merkle_proven", tx.txid)
        return True

    def prove_by_block_txids(self, header: BlockHeader, txs: list[Tx], fresh: bool = False) -> bool:
        """``merkle_proven`` for *txs* at once, by the whole txid list of *header*'s block (one
        request however many of them the block holds); False where the explorer serves no list."""
        txids = self.client.block_txids(header.hash, fresh)
        if txids is None:
            return False
        _mapped(f"{self.api_url}/block/{header.hash}/txids", lambda raw: check_block_txids(raw, header, txs), txids)
        for tx in txs:
            self.ledger.passed("merkle_proven", tx.txid)
        return True

    def get_price_usd(self, timestamp: int, fresh: bool = False) -> Decimal | None:
        """USD per BTC just before *timestamp*, or None where the explorer has no prices."""
        url = f"{self.api_url}/v1/historical-price?timestamp={timestamp}"
        return _mapped(url, lambda raw: self.ledger.accept_price(price_from_json(raw, timestamp), timestamp),
                       self.client.historical_price(timestamp, fresh))

    def get_address_history(self, address: str, max_txs: int, confirmed_count: int | None = None,
                            fresh: bool = False) -> AddressHistory:
        """All transactions of *address* (deduplicated by txid), at most *max_txs*; with
        *confirmed_count* a history shorter than that is refused (see the client)."""
        seen: dict[str, Tx] = {}
        pages = 0
        truncated = False
        for page in self.client.address_txs_pages(address, confirmed_count, fresh):
            pages += 1
            for raw in page:
                tx = self._keep(f"{self.api_url}/address/{address}/txs", raw, address)
                seen.setdefault(tx.txid, tx)
            if len(seen) >= max_txs:
                truncated = True
                break
        txs = tuple(seen.values())[:max_txs]
        if not truncated:
            self._check_complete(address, txs)
        return AddressHistory(address=address, txs=txs, pages=pages, truncated=truncated)

    def _check_complete(self, address: str, txs: tuple[Tx, ...]) -> None:
        """``history_complete`` on a whole history, and against this explorer's ``chain_stats``
        of the address when it gave them, unless the history has grown since (a new block)."""
        stats = self._stats.get(address)
        added_up = address_stats_from_history(address, list(txs))
        if stats is not None and added_up.tx_count > stats.tx_count:
            stats = None  # mined since the counts were asked: they cannot be compared
        _mapped(f"{self.api_url}/address/{address}/txs",
                lambda history: self.ledger.accept_history(address, history, stats, added_up), list(txs))
