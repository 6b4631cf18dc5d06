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
from btctrace.errors import ProviderUnavailable, RateLimited

__all__ = [
    "USER_AGENT",
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
_RETRY_STATUSES = {429, 500, 502, 503, 504}


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


def make_session(adapter: BaseAdapter | None = None) -> requests.Session:
    """One ``requests.Session`` with btctrace's User-Agent; *adapter* (recording or replay)
    is mounted for both schemes when given."""
    session = requests.Session()
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
    """GETs URLs with rate limit, retries and an in-run cache. Thread-safe."""

    session: requests.Session
    rate: float | None = None
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    rng: random.Random = field(default_factory=random.Random)
    counts: Counter = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self._cache: dict[str, HttpResponse] = {}
        self._lock = threading.Lock()
        self._next_slot = 0.0

    def get(self, url: str) -> HttpResponse:
        """The response for *url*: from this run's cache, else fetched (with retries)."""
        with self._lock:
            cached = self._cache.get(url)
            if cached is not None:
                self.counts["cache_hits"] += 1
                return cached
            response = self._fetch(url)
            self._cache[url] = response
            self.counts["requests"] += 1
            return response

    def _wait_for_slot(self) -> None:
        if not self.rate:
            return
        now = self.clock()
        if self._next_slot > now:
            self.sleep(self._next_slot - now)
            now = self._next_slot
        self._next_slot = now + 1.0 / self.rate

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
                self.counts["retries"] += 1
            self._wait_for_slot()
            self.counts["attempts"] += 1
            try:
                raw = self.session.get(url, timeout=self.policy.timeout)
            except (requests.ConnectionError, requests.Timeout) as exc:
                last_problem, retry_after = f"{type(exc).__name__}: {str(exc)[:160]}", None
                continue
            if raw.status_code not in _RETRY_STATUSES:
                return HttpResponse(url, raw.status_code, raw.text, raw.headers.get("Content-Type", ""))
            retry_after = _retry_after_seconds(raw.headers.get("Retry-After"), time.time())
            last_problem = f"HTTP {raw.status_code}"
        if last_problem == "HTTP 429":
            raise RateLimited(url, self.policy.attempts, retry_after)
        raise ProviderUnavailable(url, self.policy.attempts, last_problem)
