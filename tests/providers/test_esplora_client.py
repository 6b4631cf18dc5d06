"""The Esplora client and provider against the loopback Esplora server: paging, retries,
error bodies, caching. Nothing here reaches the internet."""

import tracemalloc

import pytest

from btctrace.errors import BadResponse, IncompleteHistory, NotFound, ProviderUnavailable, RateLimited, ResponseTooLarge
from btctrace.providers.esplora.provider import EsploraProvider
from btctrace.providers.http import DEFAULT_MAX_BODY_BYTES, USER_AGENT, HttpFetcher, RetryPolicy, make_session
from btctrace.testing.server import EsploraServer, Fault
from tests.conftest import FAST_RETRY

BLOCKSTREAM_429 = '{"message":"Blockstream Explorer API NOTICE: Your request rate exceeds the current limit"}'


@pytest.fixture
def busy_chain(builder):
    """An address with 61 confirmed and 2 unconfirmed transactions (3 pages of history)."""
    target = builder.address("p2wpkh")
    coin = builder.coinbase(800_000, builder.address("p2wpkh"), 5_000_000_000)
    for i in range(61):
        coin = builder.spend(800_101 + i // 3, [coin], [(target, 10_000)], change=builder.address("p2tr"))[1]
    for _ in range(2):
        coin = builder.spend(None, [coin], [(target, 10_000)], change=builder.address("p2tr"))[1]
    return builder.store, target


@pytest.fixture
def served(busy_chain):
    store, target = busy_chain
    with EsploraServer(store) as server:
        yield server, target


def _provider(server, **kwargs):
    fetcher = HttpFetcher(make_session(), rate=None, policy=FAST_RETRY, sleep=lambda s: None, **kwargs)
    return EsploraProvider(server.api_url, fetcher)


def test_history_pages_until_a_short_page_and_marks_unconfirmed(served):
    server, target = served
    history = _provider(server).get_address_history(target, max_txs=10_000)
    assert len(history.txs) == 63 and len({t.txid for t in history.txs}) == 63
    assert history.pages == 3 and not history.truncated
    assert [t.status.confirmed for t in history.txs[:2]] == [False, False]
    heights = [t.block_height for t in history.txs[2:]]
    assert heights == sorted(heights, reverse=True)
    paths = [p for p in server.requests if "/txs" in p]
    assert paths[0].endswith("/txs") and paths[1].count("/txs/chain/") == 1 and len(paths) == 3


def test_history_stops_at_the_cap_and_says_so(served):
    server, target = served
    history = _provider(server).get_address_history(target, max_txs=30)
    assert len(history.txs) == 30 and history.truncated and history.pages == 2


def test_no_request_is_made_twice(served):
    server, target = served
    provider = _provider(server)
    history = provider.get_address_history(target, 10_000)
    txid = history.txs[5].txid
    provider.get_tx(txid)  # already known from the history page
    provider.get_outspends(txid)
    provider.get_outspends(txid)
    provider.get_address_stats(target)
    provider.get_address_stats(target)
    assert len(server.requests) == len(set(server.requests)) == 5


def test_unknown_txid_is_not_found_even_though_status_would_say_200(served):
    server, _ = served
    with pytest.raises(NotFound, match="transaction"):
        _provider(server).get_tx("00" * 32)


@pytest.mark.parametrize("fault", [
    Fault(r"/address/", status=429, body=BLOCKSTREAM_429, content_type="application/json", times=2),
    Fault(r"/address/", status=429, body="Too Many Requests", headers={"Retry-After": "0"}, times=1),
    Fault(r"/address/", status=503, times=3),
    Fault(r"/address/", status=502, body="<html>Bad gateway</html>", content_type="text/html", times=1),
])
def test_retryable_faults_are_retried_and_the_error_body_is_never_data(served, fault):
    server, target = served
    server.faults.append(fault)
    stats = _provider(server).get_address_stats(target)
    assert stats.tx_count == 61
    assert fault.times == 0


def test_retry_after_is_honoured(served):
    server, target = served
    server.faults.append(Fault(r"/address/", status=429, headers={"Retry-After": "7"}, times=1))
    waits, now = [], [0.0]

    def sleep(seconds):
        waits.append(seconds)
        now[0] += seconds

    fetcher = HttpFetcher(make_session(), policy=RetryPolicy(attempts=3, base_delay=0.001, max_delay=0.01),
                          sleep=sleep, clock=lambda: now[0])
    EsploraProvider(server.api_url, fetcher).get_address_stats(target)
    # The retry waits the seconds asked; later requests are paced at the rate learnt (<= 1/s here).
    assert waits[0] == 7.0 and all(wait <= 1.0 for wait in waits[1:])
    assert fetcher.limiter.snapshot()["throttled"] == 1


def test_persistent_429_ends_with_rate_limited(served):
    server, target = served
    server.faults.append(Fault(r"/address/", status=429, body=BLOCKSTREAM_429, times=99))
    with pytest.raises(RateLimited, match="429"):
        _provider(server).get_address_stats(target)


def test_persistent_500_ends_with_unavailable(served):
    server, target = served
    server.faults.append(Fault(r"/tx/", status=500, times=99))
    with pytest.raises(ProviderUnavailable, match="HTTP 500"):
        _provider(server).get_tx("ab" * 32)


@pytest.mark.parametrize("fault", [
    Fault(r"/address/", status=200, body="<html>captcha</html>", content_type="text/html"),
    Fault(r"/address/", status=200, body='{"address": "bc1q', content_type="application/json"),
    Fault(r"/address/", action="truncate"),
    Fault(r"/address/", action="reset", times=2),
], ids=["html-200", "malformed-json", "truncated-body", "connection-reset"])
def test_a_bad_body_or_broken_connection_is_retried_to_the_same_answer(served, fault):
    server, target = served
    clean = _provider(server).get_address_stats(target)
    server.faults.append(fault)
    provider = _provider(server)
    assert provider.get_address_stats(target) == clean
    assert fault.times == 0 and provider.fetcher.counts["retries"] >= 1


def test_html_page_with_status_200_every_time_is_refused_not_parsed(served):
    server, target = served
    server.faults.append(Fault(r"/address/", status=200, body="<html>captcha</html>", content_type="text/html",
                               times=99))
    with pytest.raises(BadResponse, match="not JSON.*captcha"):
        _provider(server).get_address_stats(target)


def test_persistent_resets_end_with_unavailable(served):
    server, target = served
    server.faults.append(Fault(r"/tx/", action="reset", times=99))
    with pytest.raises(ProviderUnavailable, match="4 attempts"):
        _provider(server).get_tx("ab" * 32)


def _chain_page_fault(body="[]", times=1):
    return Fault(r"/txs/chain/", status=200, body=body, content_type="application/json", times=times)


def test_an_empty_page_in_the_middle_of_paging_is_asked_again(served):
    server, target = served
    clean = _provider(server).get_address_history(target, 10_000, confirmed_count=61)
    server.faults.append(_chain_page_fault())
    history = _provider(server).get_address_history(target, 10_000, confirmed_count=61)
    assert history.txs == clean.txs and len(history.txs) == 63


def test_a_history_that_stays_short_is_refused_not_cut(served):
    server, target = served
    server.faults.append(_chain_page_fault(times=2))  # electrs answers an unknown last_seen_txid so
    with pytest.raises(IncompleteHistory, match="25 of the 61 confirmed"):
        _provider(server).get_address_history(target, 10_000, confirmed_count=61)


def test_without_a_count_a_short_page_ends_the_history(served):
    server, target = served
    server.faults.append(_chain_page_fault())
    assert len(_provider(server).get_address_history(target, 10_000).txs) == 27


@pytest.mark.parametrize("declared", [True, False], ids=["declared", "undeclared"])
def test_a_100_mb_answer_is_refused_at_the_bound_without_reading_it_all(served, declared):
    server, target = served
    server.faults.append(Fault(r"/tx/", action="flood", size=100 * 1024 * 1024, declare_size=declared))
    provider = _provider(server, max_body_bytes=2 * 1024 * 1024)
    tracemalloc.start()
    try:
        with pytest.raises(ResponseTooLarge, match="2,097,152-byte bound") as raised:
            provider.get_tx("ab" * 32)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024 * 1024
    assert raised.value.declared == (100 * 1024 * 1024 if declared else None)


def test_the_default_bound_refuses_100_mb_and_keeps_memory_bounded(served):
    server, target = served
    server.faults.append(Fault(r"/tx/", action="flood", size=100 * 1024 * 1024, declare_size=False))
    tracemalloc.start()
    try:
        with pytest.raises(ResponseTooLarge, match="67,108,864-byte bound"):
            _provider(server).get_tx("ab" * 32)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 3 * DEFAULT_MAX_BODY_BYTES


def test_invalid_json_shape_is_a_bad_response(served):
    server, target = served
    server.faults.append(Fault(r"/outspends", status=200, body='{"spent": false}', content_type="application/json"))
    with pytest.raises(BadResponse, match="array"):
        _provider(server).get_outspends("ab" * 32)


def test_requests_name_btctrace_and_its_version(served):
    server, target = served
    session = make_session()
    response = session.get(f"{server.api_url}/address/{target}")
    assert response.request.headers["User-Agent"] == USER_AGENT
    assert USER_AGENT.startswith("btctrace/")


def test_a_timeout_is_retried(served):
    server, target = served
    server.faults.append(Fault(r"/address/", status=200, body="{}", delay=0.6, times=1))
    policy = RetryPolicy(attempts=3, base_delay=0.001, max_delay=0.01, timeout=(1.0, 0.2))
    fetcher = HttpFetcher(make_session(), policy=policy, sleep=lambda s: None)
    stats = EsploraProvider(server.api_url, fetcher).get_address_stats(target)
    assert stats.tx_count == 61 and fetcher.counts["retries"] == 1


def test_deeply_nested_json_is_a_bad_response_not_a_crash(served):
    server, target = served
    server.faults.append(Fault(r"/address/", status=200, body="[" * 100_000 + "]" * 100_000,
                               content_type="application/json", times=10))
    with pytest.raises(BadResponse, match="not JSON"):
        _provider(server).get_address_stats(target)


def test_another_transaction_than_the_one_asked_is_refused(served):
    from btctrace.errors import AnswerRefused

    server, target = served
    txids = server.store.address_txids(target)
    server.faults.append(Fault(rf"/tx/{txids[0]}$", action="rewrite", times=10,
                               rewrite=lambda path, body: server.store.tx(txids[1])))
    with pytest.raises(AnswerRefused, match=f"asked for {txids[0]}, the answer is {txids[1]}") as raised:
        _provider(server).get_tx(txids[0])
    assert raised.value.check == "txid"
