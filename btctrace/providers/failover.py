"""Several explorers used together: requests spread across them, failover, a cross-check.

``--api-url`` may be given more than once (e.g. blockstream.info and mempool.space). Each
request goes to the explorer whose next request slot comes first (each paces itself at its own
adaptive rate, :mod:`btctrace.providers.rate`), so the explorers together answer at about the
sum of what each accepts; with nothing paced (replaying a cassette, loopback explorers) the
explorer in use keeps answering. When an explorer fails after its own retries (unavailable,
rate limited, an answer that is not data, a history cut short, too large, or missing from the
cassette on replay), the same request goes to the next, asked afresh, and an unavailable or
rate-limiting explorer rests (30 s, doubling up to 10 minutes) before it is asked again. A "not
found" is an answer, not a failure. An answer that fails a check
(:mod:`btctrace.providers.checks`) is asked once more, fresh, from the same explorer, and then
fails over like any other bad answer. Which explorer answered how many requests, every switch
with its cause, every refused answer and each explorer's rate and 429s are kept for the
manifest and the summary.

The explorers share the run's answers (:class:`~btctrace.providers.http.SharedAnswers`) and the
transactions seen, so a request is answered once whichever explorer is asked: the trace, its
request count and the cassette (recorded under the first explorer's URL, see
:mod:`btctrace.cache.cassettes`) are those of a one-explorer run.

Transactions and outspends the walk takes into the trace are *admitted* here, through the
run's :class:`~btctrace.providers.ledger.AnswerLedger`, which checks them against each other;
the ``prefetch_*`` methods fetch (and check each answer on its own) without admitting.

The cross-check fetches a deterministic sample of the traced transactions (and their
outspends) from every other explorer and reports each field on which they disagree.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable

from btctrace.errors import (
    AnswerRefused,
    BadResponse,
    BtctraceError,
    IncompleteHistory,
    OfflineMiss,
    ProviderUnavailable,
    RateLimited,
    ResponseTooLarge,
)
from btctrace.model import AddressHistory, AddressStats, Outspend, Tx
from btctrace.providers.checks import CheckFailure
from btctrace.providers.esplora.provider import EsploraProvider

__all__ = ["FAILOVER_ERRORS", "Switch", "Refusal", "CrossCheck", "FailoverProvider", "cross_check"]

# Failures after which the next explorer is asked.
FAILOVER_ERRORS = (ProviderUnavailable, RateLimited, BadResponse, ResponseTooLarge, IncompleteHistory, OfflineMiss)
Fetch = Callable[[EsploraProvider, bool], Any]  # (explorer, fresh) -> answer
Admit = Callable[[Any], Any]  # check an answer against the trace, or raise CheckFailure


_CACHE_FAULT = ("evidence store: an answer it kept was quarantined after the explorer's fresh answer differed, "
                "and the walk was run again from the explorer")


@dataclass(frozen=True)
class Switch:
    """The explorer in use changed: *request* failed at *failed* with *error*; *to* answered."""

    request: str
    failed: str
    error: str
    to: str


@dataclass(frozen=True)
class Refusal:
    """An answer of *api_url* to *request* failed check *check* (*detail*) and was not used."""

    request: str
    api_url: str
    check: str
    detail: str


def _url_of(provider: EsploraProvider, request: str) -> str:
    """The URL of an admitted answer: ``tx <txid>`` or ``outspends <txid>``."""
    kind, _, txid = request.partition(" ")
    return f"{provider.api_url}/tx/{txid}" + ("/outspends" if kind == "outspends" else "")


class FailoverProvider:
    """A :class:`~btctrace.providers.base.Provider` over several Esplora providers, in order,
    sharing one :class:`~btctrace.providers.ledger.AnswerLedger`."""

    def __init__(self, providers: list[EsploraProvider], replay_order: dict[str, tuple[str, ...]] | None = None) -> None:
        if not providers:
            raise ValueError("at least one provider")
        self.providers = providers
        self.api_url = providers[0].api_url
        self.ledger = providers[0].ledger
        self.answered: Counter = Counter()  # api_url -> calls answered
        self.switches: list[Switch] = []
        self.refusals: list[Refusal] = []
        # Refusals of an earlier walk of this run that the evidence store's answers caused
        # (the walk was run again without them: btctrace.runner)
        self.cache_refusals: list[Refusal] = []
        self._current = 0
        self._index = {id(p): i for i, p in enumerate(providers)}
        self._replay_order = replay_order or {}  # offline: request -> explorers in the order they answered
        self._clock = providers[0].fetcher.limiter.clock
        self._lock = threading.Lock()

    def request_count(self) -> int:
        return sum(p.request_count() for p in self.providers)

    def _ask(self, request: str, provider: EsploraProvider, fetch: Fetch, admit: Admit | None,
             fresh: bool) -> Any:
        """One explorer's answer, checked (and admitted); a refused answer is asked once more,
        fresh, before the refusal stands (also when that second ask fails otherwise)."""
        try:
            return self._checked(request, provider, fetch, admit, fresh)
        except AnswerRefused as exc:
            refused = exc
        try:
            return self._checked(request, provider, fetch, admit, True)
        except AnswerRefused:
            raise
        except BtctraceError:
            raise refused from None

    def _checked(self, request: str, provider: EsploraProvider, fetch: Fetch, admit: Admit | None, fresh: bool) -> Any:
        """The answer of *provider*, admitted; an answer refused (here or by the provider's own
        checks) is logged."""
        try:
            value = fetch(provider, fresh)
            if admit is not None:
                try:
                    admit(value)
                except CheckFailure as exc:
                    raise AnswerRefused(_url_of(provider, request), exc.check, exc.subject, exc.detail) from exc
            return value
        except AnswerRefused as exc:
            refusal = Refusal(request, provider.api_url, exc.check, exc.detail)
            with self._lock:
                if refusal not in self.refusals:  # the same answer, met again, is one refusal
                    self.refusals.append(refusal)
            raise

    def _order(self, request: str) -> list[EsploraProvider]:
        """The explorers to ask: offline, in the order the recording's explorers answered
        *request*; else the one free soonest first; on a tie the one in use, then the order given."""
        now, count, current = self._clock(), len(self.providers), self._current
        answered = self._replay_order.get(request, ())
        return sorted(self.providers, key=lambda p: (
            answered.index(p.api_url) if p.api_url in answered else len(answered),
            p.fetcher.limiter.next_free(now), (self._index[id(p)] - current) % count))

    def _call(self, request: str, fetch: Fetch, admit: Admit | None = None, fresh: bool = False) -> Any:
        failures: list[tuple[EsploraProvider, BtctraceError]] = []
        for provider in self._order(request) if len(self.providers) > 1 else self.providers:
            try:
                # After a failure the next explorer is asked afresh, not given the run's answer.
                value = self._ask(request, provider, fetch, admit, fresh or bool(failures))
            except FAILOVER_ERRORS as exc:
                if isinstance(exc, (ProviderUnavailable, RateLimited)):
                    provider.fetcher.limiter.rest()
                failures.append((provider, exc))
                continue
            with self._lock:
                self.answered[provider.api_url] += 1
                for failed, exc in failures:
                    self.switches.append(Switch(request, failed.api_url, exc.message, provider.api_url))
                if failures:
                    self._current = self.providers.index(provider)
            return value
        first = failures[0][1]
        if len(failures) > 1:
            others = "; ".join(f"{p.api_url}: {exc.message}" for p, exc in failures[1:])
            addition = f"Every other explorer failed too ({others})"
            if addition not in first.hint:  # the fetcher re-raises one cached error object
                first.hint = f"{first.hint}. {addition}"
        raise first

    def get_tx(self, txid: str, fresh: bool = False) -> Tx:
        """The transaction *txid*, admitted into the trace."""
        return self._call(f"tx {txid}", lambda p, again: p.fetch_tx(txid, again), self.ledger.admit_tx, fresh)

    def prefetch_tx(self, txid: str) -> Tx:
        return self._call(f"tx {txid}", lambda p, again: p.fetch_tx(txid, again))

    def get_outspends(self, txid: str) -> tuple[Outspend, ...]:
        """Where the outputs of *txid* went, admitted into the trace."""
        return self._call(f"outspends {txid}", lambda p, again: p.fetch_outspends(txid, again),
                          lambda outspends: self.ledger.admit_outspends(txid, outspends))

    def prefetch_outspends(self, txid: str) -> tuple[Outspend, ...]:
        return self._call(f"outspends {txid}", lambda p, again: p.fetch_outspends(txid, again))

    def get_address_stats(self, address: str) -> AddressStats:
        return self._call(f"address {address}", lambda p, again: p.get_address_stats(address, again))

    def get_address_history(self, address: str, max_txs: int, confirmed_count: int | None = None) -> AddressHistory:
        return self._call(f"history {address}",
                          lambda p, again: p.get_address_history(address, max_txs, confirmed_count, again))

    def get_price_usd(self, timestamp: int) -> Any:
        return self._call(f"price {timestamp}", lambda p, again: p.get_price_usd(timestamp, again))

    def get_block_header(self, block_hash: str) -> Any:
        return self._call(f"header {block_hash}", lambda p, again: p.get_block_header(block_hash, again))

    def prove_block_times(self, header: Any, txs: list[Tx]) -> None:
        """No request (the header and the transactions are in hand); a refusal is logged and
        named like any other."""
        self._call(f"header {header.hash}", lambda p, again: p.prove_block_times(header, txs))

    def prove_by_block_txids(self, header: Any, txs: list[Tx]) -> bool:
        return self._call(f"txids {header.hash}", lambda p, again: p.prove_by_block_txids(header, txs, again))

    def prove_in_block(self, tx: Tx, header: Any) -> bool:
        return self._call(f"merkle-proof {tx.txid}", lambda p, again: p.prove_in_block(tx, header, again))

    def rates(self) -> dict[str, dict[str, Any]]:
        """Each explorer's rate now (requests a second; None: not paced), its ceiling and the
        429s it answered."""
        return {p.api_url: p.fetcher.limiter.snapshot() for p in self.providers}

    def log(self) -> dict[str, Any]:
        """For the manifest: calls answered per explorer, every switch and every refused answer."""
        return {
            "api_urls": [p.api_url for p in self.providers],
            "answered": {p.api_url: self.answered[p.api_url] for p in self.providers},
            "rates": self.rates(),
            "switches": [{"request": s.request, "failed": s.failed, "error": s.error, "to": s.to}
                         for s in self.switches],
            "refused": [{"request": r.request, "api_url": r.api_url, "check": r.check, "detail": r.detail}
                        for r in self.refusals]
            + [{"request": r.request, "api_url": r.api_url, "check": r.check, "detail": r.detail,
                "source": _CACHE_FAULT} for r in self.cache_refusals],
        }


@dataclass
class CrossCheck:
    """Transactions fetched from every explorer and compared field by field."""

    sampled: list[str] = field(default_factory=list)
    explorers: list[str] = field(default_factory=list)
    disagreements: list[dict[str, str]] = field(default_factory=list)
    failures: list[dict[str, str]] = field(default_factory=list)


def _sample(txids: list[str], size: int) -> list[str]:
    """*size* txids chosen by hash, so the sample does not depend on traversal order."""
    return sorted(sorted(set(txids), key=lambda t: hashlib.sha256(t.encode()).hexdigest())[:size])


def _fields(tx: Tx, outspends: tuple[Outspend, ...]) -> dict[str, str]:
    values = {"block_height": str(tx.block_height), "block_time": str(tx.block_time), "fee": str(tx.fee),
              "inputs": repr(tx.inputs), "outputs": repr(tx.outputs)}
    values["outspends"] = repr(sorted((o.vout, o.spent, o.txid) for o in outspends))
    return values


def cross_check(providers: list[EsploraProvider], txids: list[str], size: int) -> CrossCheck:
    """Fetch a sample of *size* of *txids* from each provider and report every field where
    one differs from the first. Each explorer's own answers are compared (a copy shared in the
    run, which another explorer gave, is never taken for this one's). A provider that fails for
    a transaction is reported, not fatal."""
    check = CrossCheck(_sample(txids, size), [p.api_url for p in providers])
    for txid in check.sampled:
        answers: list[tuple[str, dict[str, str]]] = []
        for provider in providers:
            try:
                answers.append((provider.api_url, _fields(*provider.own_answers(txid))))
            except BtctraceError as exc:
                check.failures.append({"txid": txid, "api_url": provider.api_url, "error": exc.message})
        if not answers:
            continue
        reference_url, reference = answers[0]
        for url, values in answers[1:]:
            for name in sorted(reference):
                if values[name] != reference[name]:
                    check.disagreements.append({"txid": txid, "field": name, "explorer_a": reference_url,
                                                "value_a": reference[name], "explorer_b": url, "value_b": values[name]})
    return check
