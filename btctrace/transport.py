"""The transport of one run: one session (live, recording or replay), one provider per explorer
with its host's rate limit, the crash-safe recording, and what to keep when a run fails. Only
the runner uses it."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

from btctrace import safejson
from btctrace.cache.cassettes import Cassette, RecordingAdapter, ReplaySession
from btctrace.cache.journal import Journal, journal_path_for
from btctrace.cache.provenance import cassette_facts
from btctrace.errors import AnswerRefused, BtctraceError, CassetteAnswerRefused, Interrupted, UsageProblem
from btctrace.job import TraceJob
from btctrace.providers.esplora.provider import DEFAULT_API_URL, EsploraProvider
from btctrace.providers.http import (ExplorerAuth, HttpFetcher, RetryPolicy, SharedAnswers, default_rate_for,
                                     make_session)
from btctrace.providers.ledger import AnswerLedger
from btctrace.providers.rate import AdaptiveRate
from btctrace.urls import public_url, url_credentials
from btctrace.version import __version__

__all__ = ["API_URL_ENV", "Transport", "abandon_recording", "canonical_url", "open_transport", "replay_order",
           "resolve_api_url", "resolve_api_urls"]

API_URL_ENV = "BTCTRACE_API_URL"


def resolve_api_url(given: str | None, cassette: Cassette | None) -> str:
    """An explicit URL wins; offline, the URL the cassette was recorded from; then the env."""
    if given:
        return given.rstrip("/")
    if cassette is not None and cassette.metadata.get("api_url"):
        return str(cassette.metadata["api_url"])
    return os.environ.get(API_URL_ENV, DEFAULT_API_URL).rstrip("/")


def resolve_api_urls(job: TraceJob, cassette: Cassette | None) -> list[str]:
    """The explorers in the order asked, as they may be written anywhere: without credentials
    (:func:`btctrace.urls.public_url`)."""
    return list(dict.fromkeys(public_url(url) for url in _given_api_urls(job, cassette)))


def _given_api_urls(job: TraceJob, cassette: Cassette | None) -> list[str]:
    """The explorers as given (credentials included): the primary (see :func:`resolve_api_url`),
    then the fallbacks given, or offline without a given URL, those the cassette was recorded with."""
    primary = resolve_api_url(job.api_url, cassette)
    fallbacks = [url.rstrip("/") for url in job.fallback_urls]
    if not job.api_url and cassette is not None and not fallbacks:
        fallbacks = [str(url) for url in cassette.metadata.get("api_urls", [])]
    urls = list(dict.fromkeys([primary, *fallbacks]))
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
            raise UsageProblem(f"explorer URL {public_url(url)!r} is not an http(s) base URL",
                               "Give an Esplora base URL such as https://blockstream.info/api (credentials, if the "
                               "explorer needs them, as https://user:password@host/api)")
    return urls


class _Recording:
    """A recording in progress: the cassette it fills and the journal that makes it crash-safe.
    On success the cassette is written atomically and the journal removed; on failure the
    journal stays, holding every response fetched, for ``--resume``."""

    def __init__(self, path: Path, api_urls: list[str], resume: bool, run_id: str = "") -> None:
        self.run_id = run_id
        self.journal_path = journal_path_for(path)
        left = self.journal_path.exists()
        self.journal = Journal(self.journal_path)  # the lock: a second recording to this cassette is refused
        try:
            self._start(path, api_urls, resume, left)
        except BaseException:
            if left:
                self.journal.close()  # an interrupted recording's journal stays for --resume
            else:
                self.journal.finish()
            raise

    def _start(self, path: Path, api_urls: list[str], resume: bool, left: bool) -> None:
        if left and not resume:
            raise UsageProblem(f"an interrupted recording left {self.journal_path}",
                               "Add --resume to continue it, or delete it to start again")
        if resume and not (left or path.exists()):
            raise UsageProblem(f"--resume: there is no journal {self.journal_path} or cassette {path} to continue")
        metadata = {"api_url": api_urls[0], "recorded_by": f"btctrace {__version__}"}
        if self.run_id:  # the run that recorded it: its manifest names the same id (btctrace verify)
            metadata["run_id"] = self.run_id
        if len(api_urls) > 1:
            metadata["api_urls"] = api_urls[1:]
        self.cassette = Cassette(path, metadata=metadata)
        if resume:  # reuse the answers; a failure (the cause of the stop) is asked again
            earlier = list(Cassette.load(path).interactions.values()) if path.exists() else []
            if left:
                earlier += Journal.read(self.journal_path)
            for item in earlier:
                if _usable_answer(item):
                    self.cassette.add_interaction(item)
        self.resumed = len(self.cassette.interactions)

    def finish(self) -> None:
        self.cassette.save()
        self.journal.finish()
        cassette_facts(self.cassette.path, self.cassette)  # the manifest and the report state these

    def abandon(self) -> None:
        self.journal.close()


def _usable_answer(item: dict) -> bool:
    """A kept answer worth reusing on --resume: a 200 whose body is JSON (a cut-off or HTML
    body that stopped the run is asked again)."""
    if item["response"]["status"]["code"] != 200:
        return False
    try:
        safejson.loads(item["response"]["body"]["string"])
    except ValueError:
        return False
    return True


@dataclass
class Transport:
    session: Any  # a requests.Session (live or recording) or a ReplaySession (offline)
    providers: list[EsploraProvider]
    recording: _Recording | None
    mode: str
    # Offline: the explorers in the order they answered, for each request several answered.
    replay_order: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # New providers on the same session (a walk run again after the evidence store was at fault).
    new_providers: Callable[[], list[EsploraProvider]] | None = None


_REQUEST_OF_PATH = (
    (re.compile(r"/tx/([0-9a-f]{64})"), ("tx",)),
    (re.compile(r"/tx/([0-9a-f]{64})/outspends"), ("outspends",)),
    (re.compile(r"/address/([^/?]+)"), ("address",)),
    (re.compile(r"/address/([^/?]+)/txs"), ("address", "history")),
    (re.compile(r"/v1/historical-price\?(?:[^#]*&)?timestamp=(\d+)(?:&[^#]*)?"), ("price",)),
)


def replay_order(cassette: Cassette, api_urls: list[str]) -> dict[str, tuple[str, ...]]:
    """For each request (``tx <txid>``, ``history <address>``, ...) that another explorer
    than the first answered in the recording, or several did (one answer refused or failed,
    then another), the explorers in the order they answered: a replay asks them in that order,
    so each explorer is given its own answers and the same refusals are met again (see
    :class:`~btctrace.cache.cassettes.RecordingAdapter`)."""
    answered: dict[str, list[tuple[str, str]]] = {}
    bases = sorted(api_urls, key=len, reverse=True)
    for item in cassette.interactions.values():
        url = item["response"].get("served_by") or item["request"]["uri"]
        base = next((b for b in bases if url.startswith(b + "/")), None)
        if base is not None:
            answered.setdefault(url[len(base):], []).append((str(item["response"].get("fetched_at", "")), base))
    order = {}
    for path, answers in answered.items():
        if len(answers) < 2 and answers[0][1] == api_urls[0]:
            continue
        for pattern, kinds in _REQUEST_OF_PATH:
            match = pattern.fullmatch(path)
            if match:
                for kind in kinds:
                    order[f"{kind} {match.group(1)}"] = tuple(base for _, base in sorted(answers))
    return order


def open_transport(job: TraceJob, evidence: Any = None, run_id: str = "") -> Transport:
    """One session (live, recording or replay) and one provider per explorer, each with the
    rate limit of its host. With *evidence* (the store's cache) a live or recording session
    answers final transactions and outspends from it (and keeps the new ones)."""
    recording, adapter, order = None, None, {}
    if job.offline:
        cassette = Cassette.load(job.offline)
        cassette_facts(job.offline, cassette)  # loaded once: the manifest and the report state these
        api_urls = resolve_api_urls(job, cassette)
        order = replay_order(cassette, api_urls) if len(api_urls) > 1 else {}
        # Replayed answers never change, so a recorded failure is not retried.
        policy, mode = replace(job.retry, attempts=1), "offline"
        session = ReplaySession(cassette)
        session.adapter.canonical = canonical_url(api_urls)
    else:
        given, policy = _given_api_urls(job, None), job.retry
        api_urls = resolve_api_urls(job, None)
        if job.record:
            recording, mode = _Recording(job.record, api_urls, job.resume, run_id), "record"
            adapter = RecordingAdapter(recording.cassette, recording.journal, job.max_response_bytes, evidence)
        else:
            mode = "live"
            if evidence is not None:  # an in-memory cassette: only the store's answers are used
                adapter = RecordingAdapter(Cassette(Path("(live)")), None, job.max_response_bytes, evidence)
        session = make_session(adapter)
        credentials = {public_url(url): found for url in given if (found := url_credentials(url))}
        if credentials:
            session.auth = ExplorerAuth(credentials)
    if adapter is not None:
        adapter.canonical = canonical_url(api_urls)
    def new_providers() -> list[EsploraProvider]:
        return _providers(job, api_urls, session, adapter, policy, mode)
    return Transport(session, new_providers(), recording, mode, order if mode == "offline" else {}, new_providers)


def _providers(job: TraceJob, api_urls: list[str], session: Any, adapter: RecordingAdapter | None,
               policy: RetryPolicy, mode: str) -> list[EsploraProvider]:
    """One provider per explorer, each paced at its own adaptive rate (none offline), sharing
    the answer checks, the answers and the transactions seen."""
    ledger = AnswerLedger(job.network)  # one for all explorers: answers are checked against each other
    answers, seen, outspends = SharedAnswers(), {}, {}
    providers = []
    for url in api_urls:
        rate = None if mode == "offline" else job.rate if job.rate is not None else default_rate_for(url)
        fetcher = HttpFetcher(session, policy=policy, max_body_bytes=job.max_response_bytes,
                              answers_locally=adapter.holds if adapter is not None else None,
                              limiter=AdaptiveRate(rate, adapts=mode != "offline"), shared=answers, api_url=url)
        providers.append(EsploraProvider(url, fetcher, ledger, seen, outspends))
    return providers


def canonical_url(api_urls: list[str]) -> Callable[[str], str]:
    """Maps a request to any of *api_urls* onto the same request to the first: how answers are
    keyed in the cassette, whichever explorer gave them (longest base URL matched first)."""
    bases = sorted(api_urls[1:], key=len, reverse=True)

    def canonical(url: str) -> str:
        for base in bases:
            if url == base or url.startswith(base + "/") or url.startswith(base + "?"):
                return api_urls[0] + url[len(base):]
        return url
    return canonical


def abandon_recording(recording: _Recording | None, exc: BaseException, cassette: Path | None = None) -> None:
    """Keep the journal of a failed recording and say how to continue it. Offline, an answer
    of the cassette that fails a check is the cassette's fault (exit 5, not 4)."""
    if cassette is not None and isinstance(exc, AnswerRefused):
        raise CassetteAnswerRefused(str(cassette), exc) from None
    journal = str(recording.journal_path) if recording is not None else None
    if recording is not None:
        recording.abandon()
    if isinstance(exc, KeyboardInterrupt):
        raise Interrupted(journal) from None
    if journal and isinstance(exc, BtctraceError):
        exc.hint = f"{exc.hint}. Responses fetched so far are kept in {journal}: fix the cause and rerun with --resume"
