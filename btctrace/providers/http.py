"""The one HTTP layer: session, per-host rate limit, retries with backoff, in-run cache.

Retry policy follows the explorer notes (``explorer-apis.md`` §1.6): 429, 5xx, timeouts and
connection errors (resets, truncated bodies) are retried with exponential backoff and full
jitter, honouring ``Retry-After`` when sent (Blockstream usually does not send it). So is a 200
whose body does not decode (an HTML error page, cut-off JSON): an error body is never taken for
data. Bodies are read in chunks up to a bound, so a hostile answer cannot exhaust memory. A
response is fetched at most once per run: later asks are served from memory.
"""

from __future__ import annotations

import email.utils
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any, Callable
from urllib.parse import urlsplit

import requests
import requests.auth
from requests.adapters import BaseAdapter

from btctrace.version import __version__
from btctrace.errors import BadResponse, BtctraceError, ProviderUnavailable, RateLimited, ResponseTooLarge
from btctrace.providers.rate import AdaptiveRate

__all__ = [
    "ExplorerAuth",
    "USER_AGENT",
    "RETRY_STATUSES",
    "DEFAULT_RATES",
    "RetryPolicy",
    "HttpResponse",
    "HttpFetcher",
    "SharedAnswers",
    "make_session",
    "default_rate_for",
    "DEFAULT_MAX_BODY_BYTES",
    "read_bounded",
    "error_text",
]

USER_AGENT = f"btctrace/{__version__} (+https://pypi.org/project/btctrace/)"
# Requests per second of the public explorers, never exceeded (explorer-apis.md §1.6). Any other
# host (loopback, a self-hosted explorer on the LAN) starts unpaced and is paced from its first
# 429 (providers/rate.py): a 1,000-hop chain against one on the LAN took 17 minutes held to 2 a
# second, 5 s unpaced (issue 31).
DEFAULT_RATES = {"blockstream.info": 1.0, "mempool.space": 5.0}
Decoder = Callable[[str], Any]
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# The largest answer read: a synthetic 100,000-output transaction is 26 MB of Esplora JSON.
DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024
_CHUNK = 1 << 16
# Transport failures worth another attempt: refused or reset connections, timeouts, bodies cut off.
_TRANSIENT = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError,
              requests.exceptions.ContentDecodingError)


def default_rate_for(url: str) -> float | None:
    """Default requests/second for the host of *url*: a public explorer's documented-safe rate;
    None (unpaced until its first 429) for loopback and any other host."""
    return DEFAULT_RATES.get(urlsplit(url).hostname or "")


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
    data: Any = None  # the decoded body of a 200, when the caller asked for decoding
    text_kept: bool = True  # False: kept as "answered" only (see HttpFetcher.get's *keep_text*)


def read_bounded(raw: requests.Response, limit: int) -> str:
    """The body of *raw* as text, read in chunks and never more than *limit* bytes: beyond it
    the connection is closed and :class:`ResponseTooLarge` raised. Idempotent (the body is
    kept on *raw*)."""
    declared = raw.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raw.close()
        raise ResponseTooLarge(raw.url or "", limit, int(declared))
    if not isinstance(raw._content, bytes):  # noqa: SLF001 - requests keeps a body already read here
        chunks, size = [], 0
        for chunk in raw.iter_content(_CHUNK):
            size += len(chunk)
            if size > limit:
                raw.close()
                raise ResponseTooLarge(raw.url or "", limit, None)
            chunks.append(chunk)
        raw._content = b"".join(chunks)  # noqa: SLF001
        raw._content_consumed = True  # noqa: SLF001
    raw.encoding = "utf-8"
    return raw.text


class ExplorerAuth(requests.auth.AuthBase):
    """HTTP Basic credentials per explorer (given in its URL, ``https://user:password@host/api``),
    sent as an ``Authorization`` header on that explorer's requests only: the URL every output
    names has none (:func:`btctrace.urls.public_url`), and no cassette keeps the header."""

    def __init__(self, credentials: dict[str, tuple[str, str]]) -> None:
        self._credentials = sorted(credentials.items(), key=lambda item: -len(item[0]))

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        url = request.url or ""
        for base, (user, password) in self._credentials:
            if url == base or url.startswith((base + "/", base + "?")):
                return requests.auth.HTTPBasicAuth(user, password)(request)
        return request


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


class SharedAnswers:
    """The answers of one run, by request (the path below the explorer's URL), shared by the
    fetchers of its explorers; and the requests in flight, so that none is sent twice at once."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.answers: dict[str, HttpResponse] = {}
        self.in_flight: dict[str, threading.Event] = {}


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
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    # True for a URL the session answers without the network (a resumed recording's answers,
    # the evidence store): no rate-limit slot is taken for it.
    answers_locally: Callable[[str], bool] | None = None
    # The explorer's adaptive rate (starting at, and never above, *rate*); made from *rate* when not given.
    limiter: AdaptiveRate | None = None
    # Answers shared by the fetchers of one run's explorers (keyed by the path below each
    # explorer's URL), so that one request is asked of one explorer once, whichever asks.
    shared: SharedAnswers | None = None
    api_url: str = ""

    def __post_init__(self) -> None:
        self._answers = self.shared if self.shared is not None else SharedAnswers()
        self._errors: dict[str, BtctraceError] = {}  # this explorer's failures (another may still answer)
        self._answered: set[str] = set()
        self._lock = threading.Lock()
        if self.limiter is None:
            self.limiter = AdaptiveRate(self.rate, clock=self.clock)

    def answered(self) -> int:
        """Distinct URLs this explorer answered this run (an error status is an answer; a
        failure after every retry is not). Asking again fresh does not count twice."""
        with self._answers.lock:
            return len(self._answered)

    def _count(self, name: str) -> None:
        with self._lock:
            self.counts[name] += 1

    def _key(self, url: str) -> str:
        """The request below the explorer's URL: the same for every explorer of the run."""
        return url[len(self.api_url):] if self.api_url and url.startswith(self.api_url) else url

    def get(self, url: str, decode: Decoder | None = None, fresh: bool = False,
            keep_text: bool = True) -> HttpResponse:
        """The response for *url*: from this run's answers (any explorer's), else fetched
        (with retries). A request is sent at most once per run, also by concurrent callers
        and, to this explorer, also when it failed; *fresh* asks again anyway (an answer that
        contradicts the explorer's own counts). With *decode*, a 200 whose body it refuses
        (ValueError) is retried like a 503. ``keep_text=False`` (an answer the caller keeps in its
        own form: transactions, outspends) keeps only that it was answered, not its body: the
        bodies of a 100,000-transaction case are half a gigabyte; asked again, it is fetched again."""
        key, answers = self._key(url), self._answers
        while True:
            with answers.lock:
                known = None if fresh else answers.answers.get(key) or self._errors.get(key)
                if isinstance(known, HttpResponse) and not known.text_kept:
                    known = None
                waiting = None if known is not None else answers.in_flight.get(key)
                if known is None and waiting is None:
                    done = answers.in_flight[key] = threading.Event()
            if known is not None:
                return self._kept(known, decode)
            if waiting is None:
                break
            waiting.wait()
        try:
            outcome: HttpResponse | BtctraceError = self._fetch(url, decode)
        except BtctraceError as exc:
            outcome = exc
        except BaseException:
            with answers.lock:
                del answers.in_flight[key]
            done.set()
            raise
        self._settle(key, outcome, keep_text)
        done.set()
        return self._outcome(outcome)

    def _settle(self, key: str, outcome: HttpResponse | BtctraceError, keep_text: bool = True) -> None:
        """Keep *outcome*: an answer for every explorer, a failure for this one (replacing
        an answer of its own that was asked again)."""
        with self._answers.lock:
            if isinstance(outcome, HttpResponse):
                kept = keep_text or outcome.status != 200  # an error answer is kept whole
                self._answers.answers[key] = replace(outcome, data=None, text=outcome.text if kept else "",
                                                     text_kept=kept)
                self._answered.add(key)
                self._errors.pop(key, None)
            else:
                self._errors[key] = outcome
                if key in self._answered:
                    self._answered.discard(key)
                    self._answers.answers.pop(key, None)
            del self._answers.in_flight[key]
        self._count("requests")

    def _kept(self, known: HttpResponse | BtctraceError, decode: Decoder | None) -> HttpResponse:
        """A kept outcome, asked again: an answer is kept as text only (a large case's decoded
        answers would fill memory), so it is decoded again for the caller."""
        self._count("cache_hits")
        if isinstance(known, HttpResponse) and decode is not None and known.status == 200:
            return replace(known, data=decode(known.text))
        return self._outcome(known)

    @staticmethod
    def _outcome(outcome: HttpResponse | BtctraceError) -> HttpResponse:
        if isinstance(outcome, BtctraceError):
            raise outcome
        return outcome

    def take_slot(self) -> None:
        """Wait for this host's next request slot, for a request sent through another fetcher."""
        self._wait_for_slot()

    def _wait_for_slot(self) -> None:
        """Reserve the next request slot of this explorer's adaptive rate, then wait for it."""
        wait = self.limiter.reserve()
        if wait > 0:
            self.sleep(wait)

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        delay = self.rng.uniform(0, min(self.policy.max_delay, self.policy.base_delay * 2**attempt))
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.policy.max_retry_after))
        return delay

    def _fetch(self, url: str, decode: Decoder | None) -> HttpResponse:
        last_problem = "no attempt made"
        retry_after: float | None = None
        undecodable: HttpResponse | None = None
        for attempt in range(self.policy.attempts):
            if attempt:
                if last_problem != "HTTP 429":  # after a 429 the limiter has slowed down (and holds for Retry-After)
                    self.sleep(self._backoff(attempt - 1, retry_after))
                self._count("retries")
            if self.answers_locally is not None and self.answers_locally(url):
                self._count("local_answers")
            else:
                self._wait_for_slot()
            self._count("attempts")
            retry_after, undecodable = None, None
            try:
                raw = self.session.get(url, timeout=self.policy.timeout, stream=True)
                text = read_bounded(raw, self.max_body_bytes)
            except _TRANSIENT as exc:
                last_problem = f"{type(exc).__name__}: {str(exc)[:160]}"
                continue
            response = HttpResponse(url, raw.status_code, text, raw.headers.get("Content-Type", ""))
            if raw.status_code in RETRY_STATUSES:
                retry_after = _retry_after_seconds(raw.headers.get("Retry-After"), time.time())
                last_problem = f"HTTP {raw.status_code}"
                if raw.status_code == 429:
                    self._count("throttled")
                    self.limiter.throttled_by(None if retry_after is None else min(retry_after, self.policy.max_retry_after))
                continue
            self.limiter.succeeded()
            if raw.status_code != 200 or decode is None:
                return response
            try:
                return replace(response, data=decode(text))
            except ValueError:
                self._count("undecodable_bodies")
                undecodable, last_problem = response, "HTTP 200 with a body that does not decode"
        if undecodable is not None:
            raise BadResponse(url, 200, f"the body is not JSON after {self.policy.attempts} attempts "
                                        f"({error_text(undecodable.text)})")
        if last_problem == "HTTP 429":
            raise RateLimited(url, self.policy.attempts, retry_after)
        raise ProviderUnavailable(url, self.policy.attempts, last_problem)


def error_text(body: str, limit: int = 200) -> str:
    """A body quoted for an error message: whitespace folded, cut at *limit* characters."""
    text = " ".join(body[: limit * 4].split())
    if len(text) > limit:
        text = text[:limit] + "…"
    return repr(text) if text else "empty body"
