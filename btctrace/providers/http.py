"""The one HTTP layer: session, per-host rate limit, retries with backoff, in-run cache.

Retry policy follows the explorer notes (``explorer-apis.md`` §1.6): 429, 5xx, timeouts and
connection errors are retried with exponential backoff and full jitter, honouring
``Retry-After`` when sent (Blockstream usually does not send it). A response is fetched at most
once per run: later asks are served from memory.
"""

from __future__ import annotations

import email.utils
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import urlsplit

import requests
from requests.adapters import BaseAdapter

from btctrace import __version__
from btctrace.errors import BtctraceError, ProviderUnavailable, RateLimited

__all__ = [
    "USER_AGENT",
    "RETRY_STATUSES",
    "DEFAULT_RATES",
    "RetryPolicy",
    "HttpResponse",
    "HttpFetcher",
    "make_session",
    "default_rate_for",
]

USER_AGENT = f"btctrace/{__version__} (+https://pypi.org/project/btctrace/)"
# Requests per second by host; loopback is unlimited. See explorer-apis.md §1.6.
DEFAULT_RATES = {"blockstream.info": 1.0, "mempool.space": 5.0}
_OTHER_HOST_RATE = 2.0
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


def default_rate_for(url: str) -> float | None:
    """Default requests/second for the host of *url* (None = no limit)."""
    host = urlsplit(url).hostname or ""
    if host in _LOOPBACK:
        return None
    return DEFAULT_RATES.get(host, _OTHER_HOST_RATE)


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 6
    base_delay: float = 1.0
    max_delay: float = 60.0
    max_retry_after: float = 300.0
    timeout: tuple[float, float] = (10.0, 60.0)


@dataclass(frozen=True)
class HttpResponse:
    url: str
    status: int
    text: str
    content_type: str


def make_session(adapter: BaseAdapter | None = None, trust_env: bool = True) -> requests.Session:
    """One ``requests.Session`` with btctrace's User-Agent; *adapter* (recording or replay)
    is mounted for both schemes when given. ``trust_env=False`` (for offline replay) skips the
    proxy, netrc and certificate look-ups in the environment, which replay does not need."""
    session = requests.Session()
    session.trust_env = trust_env
    session.headers["User-Agent"] = USER_AGENT
    session.headers["Accept"] = "application/json, text/plain"
    if adapter is not None:
        session.mount("http://", adapter)
        session.mount("https://", adapter)
    return session


def _retry_after_seconds(value: str | None, now: float) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - now)


@dataclass
class HttpFetcher:
    """GETs URLs with a per-host rate limit, retries and an in-run cache. Thread-safe: the
    rate limit is shared by all threads, and concurrent asks for one URL make one request."""

    session: requests.Session
    rate: float | None = None
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    rng: random.Random = field(default_factory=random.Random)
    counts: Counter = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self._cache: dict[str, HttpResponse | BtctraceError] = {}
        self._in_flight: dict[str, threading.Event] = {}
        self._lock = threading.Lock()
        self._rate_lock = threading.Lock()
        self._next_slot = 0.0

    def _count(self, name: str) -> None:
        with self._lock:
            self.counts[name] += 1

    def get(self, url: str) -> HttpResponse:
        """The response for *url*: from this run's cache, else fetched (with retries). A URL
        is fetched at most once per run, also by concurrent callers and also when it failed."""
        while True:
            with self._lock:
                if url in self._cache:
                    self.counts["cache_hits"] += 1
                    return self._outcome(self._cache[url])
                waiting = self._in_flight.get(url)
                if waiting is None:
                    done = self._in_flight[url] = threading.Event()
            if waiting is None:
                break
            waiting.wait()
        try:
            outcome: HttpResponse | BtctraceError = self._fetch(url)
        except BtctraceError as exc:
            outcome = exc
        except BaseException:
            with self._lock:
                del self._in_flight[url]
            done.set()
            raise
        with self._lock:
            self._cache[url] = outcome
            self.counts["requests"] += 1
            del self._in_flight[url]
        done.set()
        return self._outcome(outcome)

    @staticmethod
    def _outcome(outcome: HttpResponse | BtctraceError) -> HttpResponse:
        if isinstance(outcome, BtctraceError):
            raise outcome
        return outcome

    def _wait_for_slot(self) -> None:
        """Reserve the next request slot of the per-host rate limit, then wait for it."""
        if not self.rate:
            return
        with self._rate_lock:
            now = self.clock()
            slot = max(now, self._next_slot)
            self._next_slot = slot + 1.0 / self.rate
        if slot > now:
            self.sleep(slot - now)

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        delay = self.rng.uniform(0, min(self.policy.max_delay, self.policy.base_delay * 2**attempt))
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.policy.max_retry_after))
        return delay

    def _fetch(self, url: str) -> HttpResponse:
        last_problem = "no attempt made"
        retry_after: float | None = None
        for attempt in range(self.policy.attempts):
            if attempt:
                self.sleep(self._backoff(attempt - 1, retry_after))
                self._count("retries")
            self._wait_for_slot()
            self._count("attempts")
            try:
                raw = self.session.get(url, timeout=self.policy.timeout)
            except (requests.ConnectionError, requests.Timeout) as exc:
                last_problem, retry_after = f"{type(exc).__name__}: {str(exc)[:160]}", None
                continue
            if raw.status_code not in RETRY_STATUSES:
                return HttpResponse(url, raw.status_code, raw.text, raw.headers.get("Content-Type", ""))
            retry_after = _retry_after_seconds(raw.headers.get("Retry-After"), time.time())
            last_problem = f"HTTP {raw.status_code}"
        if last_problem == "HTTP 429":
            raise RateLimited(url, self.policy.attempts, retry_after)
        raise ProviderUnavailable(url, self.policy.attempts, last_problem)
