"""Rate limit and backoff of the HTTP layer, with a fake clock (no sleeping, no network)."""

import random

import requests
from requests.adapters import BaseAdapter

from btctrace.providers.http import HttpFetcher, RetryPolicy, default_rate_for, make_session


class ScriptedAdapter(BaseAdapter):
    """Answers each request with the next (status, headers) in a script."""

    def __init__(self, script):
        super().__init__()
        self.script = list(script)
        self.sent = []

    def send(self, request, **kwargs):
        self.sent.append(request.url)
        status, headers = self.script.pop(0)
        response = requests.Response()
        response.status_code = status
        response.headers.update(headers)
        response._content = b"{}"
        response.url = request.url
        response.request = request
        return response

    def close(self):
        pass


class FakeClock:
    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds

    def __call__(self):
        return self.now


def test_default_rates_by_host():
    assert default_rate_for("https://blockstream.info/api") == 1.0
    assert default_rate_for("https://mempool.space/api") == 5.0
    assert default_rate_for("http://127.0.0.1:3000/api") is None
    assert default_rate_for("http://192.168.1.20:3002/api") is None, "a self-hosted explorer: paced from its first 429"


def test_rate_limit_spaces_requests():
    clock = FakeClock()
    adapter = ScriptedAdapter([(200, {})] * 3)
    fetcher = HttpFetcher(make_session(adapter), rate=2.0, sleep=clock.sleep, clock=clock)
    for i in range(3):
        fetcher.get(f"http://x.invalid/{i}")
    assert clock.sleeps == [0.5, 0.5]


def test_backoff_grows_exponentially_with_jitter_and_gives_up():
    clock = FakeClock()
    adapter = ScriptedAdapter([(503, {})] * 5)
    policy = RetryPolicy(attempts=5, base_delay=1.0, max_delay=60.0)
    fetcher = HttpFetcher(make_session(adapter), policy=policy, sleep=clock.sleep, clock=clock, rng=random.Random(1))
    try:
        fetcher.get("http://x.invalid/a")
    except Exception as exc:  # noqa: BLE001 - the type is checked below
        assert type(exc).__name__ == "ProviderUnavailable"
    assert len(adapter.sent) == 5
    caps = [1.0, 2.0, 4.0, 8.0]
    assert len(clock.sleeps) == 4 and all(0 <= s <= cap for s, cap in zip(clock.sleeps, caps))
    assert fetcher.counts["retries"] == 4 and fetcher.counts["attempts"] == 5


def test_retry_after_http_date_is_understood():
    clock = FakeClock()
    adapter = ScriptedAdapter([(429, {"Retry-After": "Wed, 21 Oct 2099 07:28:00 GMT"}), (200, {})])
    policy = RetryPolicy(attempts=2, max_retry_after=30.0)
    fetcher = HttpFetcher(make_session(adapter), policy=policy, sleep=clock.sleep, clock=clock)
    assert fetcher.get("http://x.invalid/a").status == 200
    assert clock.sleeps == [30.0]  # far-future date, capped


def test_not_found_is_not_retried():
    adapter = ScriptedAdapter([(404, {})])
    fetcher = HttpFetcher(make_session(adapter), sleep=lambda s: None)
    assert fetcher.get("http://x.invalid/tx").status == 404
    assert len(adapter.sent) == 1


def test_threads_share_the_rate_limit_each_taking_its_own_slot():
    import threading

    sleeps = []
    lock = threading.Lock()

    def sleep(seconds):
        with lock:
            sleeps.append(seconds)

    fetcher = HttpFetcher(make_session(ScriptedAdapter([])), rate=4.0, sleep=sleep, clock=lambda: 0.0)
    threads = [threading.Thread(target=fetcher._wait_for_slot) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(sleeps) == [0.25 * i for i in range(1, 8)]


def test_concurrent_asks_for_one_url_make_one_request():
    import threading
    import time

    class SlowAdapter(ScriptedAdapter):
        def send(self, request, **kwargs):
            time.sleep(0.05)
            return super().send(request, **kwargs)

    adapter = SlowAdapter([(200, {})] * 8)
    fetcher = HttpFetcher(make_session(adapter))
    threads = [threading.Thread(target=fetcher.get, args=("http://x.invalid/same",)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert adapter.sent == ["http://x.invalid/same"] and fetcher.counts["requests"] == 1


def test_a_failed_request_is_not_sent_again_in_the_same_run():
    adapter = ScriptedAdapter([(503, {})] * 2)
    fetcher = HttpFetcher(make_session(adapter), policy=RetryPolicy(attempts=2), sleep=lambda s: None)
    for _ in range(2):
        try:
            fetcher.get("http://x.invalid/down")
        except Exception as exc:  # noqa: BLE001 - the type is checked below
            assert type(exc).__name__ == "ProviderUnavailable"
    assert len(adapter.sent) == 2  # two attempts the first time, none the second
