"""Recording and replay: vcrpy-format JSON, sorted, atomic; replay opens no socket and names
what it lacks; stock vcrpy can replay a btctrace cassette."""

import json
import socket

import pytest
import requests

from btctrace.cache.cassettes import Cassette, RecordingAdapter, ReplayAdapter
from btctrace.cache.journal import Journal
from btctrace.errors import CassetteError, OfflineMiss
from btctrace.providers.http import make_session
from btctrace.testing.server import EsploraServer


@pytest.fixture
def recorded(tmp_path, builder):
    address = builder.address("p2wpkh")
    coin = builder.coinbase(800_000, address, 100_000)
    store = builder.store
    path = tmp_path / "c.json"
    cassette = Cassette(path, metadata={"api_url": "x"})
    with EsploraServer(store) as server:
        session = make_session(RecordingAdapter(cassette))
        urls = [f"{server.api_url}/tx/{coin.txid}", f"{server.api_url}/address/{address}",
                f"{server.api_url}/tx/{'00' * 32}"]
        answers = [session.get(u) for u in reversed(urls)][::-1]
    cassette.save()
    return path, urls, answers


def test_cassette_is_vcrpy_json_sorted_with_decoded_bodies(recorded):
    path, urls, answers = recorded
    data = json.loads(path.read_text())
    assert data["version"] == 1 and data["metadata"] == {"api_url": "x"}
    uris = [i["request"]["uri"] for i in data["interactions"]]
    assert uris == sorted(urls)
    first = data["interactions"][0]
    assert first["request"]["method"] == "GET"
    assert isinstance(first["response"]["body"]["string"], str)
    assert first["response"]["headers"]["Content-Type"] == ["application/json"]
    assert first["response"]["headers"]["Date"][0].endswith("GMT")
    assert first["response"]["fetched_at"].endswith("Z") and first["response"]["fetched_at"][:2] == "20"
    assert path.read_text().endswith("\n") and (path.stat().st_mode & 0o777) == 0o644


def test_replay_gives_the_same_answers_without_any_socket(recorded, monkeypatch):
    path, urls, answers = recorded

    def refuse(*args, **kwargs):
        raise AssertionError("replay opened a socket")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    session = make_session(ReplayAdapter(Cassette.load(path)))
    for url, answer in zip(urls, answers):
        replayed = session.get(url)
        assert (replayed.status_code, replayed.text) == (answer.status_code, answer.text)
    assert session.get(urls[2]).status_code == 404


def test_missing_request_names_the_request_and_the_cassette(recorded):
    path, urls, _ = recorded
    session = make_session(ReplayAdapter(Cassette.load(path)))
    with pytest.raises(OfflineMiss) as caught:
        session.get(urls[0] + "/outspends")
    assert urls[0] + "/outspends" in str(caught.value) and str(path) in str(caught.value)


@pytest.mark.parametrize("content, reason", [
    ("{not json", "not readable JSON"),
    ('{"version": 1}', "no 'interactions'"),
    ('{"version": 2, "interactions": []}', "version"),
    ('{"version": 1, "interactions": [{"request": {}}]}', "interaction 0"),
])
def test_corrupt_cassettes_are_refused_clearly(tmp_path, content, reason):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(CassetteError, match=reason):
        Cassette.load(path)


def test_missing_cassette_file(tmp_path):
    with pytest.raises(CassetteError, match="no such file"):
        Cassette.load(tmp_path / "nope.json")


def test_stock_vcrpy_replays_a_btctrace_cassette(recorded):
    vcr = pytest.importorskip("vcr")
    path, urls, answers = recorded
    with vcr.use_cassette(str(path), serializer="json", record_mode="none", allow_playback_repeats=True):
        replayed = [requests.get(u) for u in urls]
    assert [(r.status_code, r.text) for r in replayed] == [(a.status_code, a.text) for a in answers]


def test_save_is_atomic_and_leaves_no_temporary_file(tmp_path):
    cassette = Cassette(tmp_path / "sub" / "c.json")
    cassette.add_interaction({"request": {"method": "GET", "uri": "http://a/x", "body": None, "headers": {}},
                              "response": {"status": {"code": 200, "message": "OK"}, "headers": {},
                                           "body": {"string": "1"}}})
    cassette.save()
    cassette.save()
    assert sorted(p.name for p in (tmp_path / "sub").iterdir()) == ["c.json"]
    assert Cassette.load(tmp_path / "sub" / "c.json").get("GET", "http://a/x")["response"]["body"]["string"] == "1"


def test_secrets_never_reach_the_cassette_or_the_journal(tmp_path, builder):
    address = builder.address("p2wpkh")
    builder.coinbase(800_000, address, 100_000)
    cassette = Cassette(tmp_path / "c.json")
    journal = Journal(tmp_path / "c.json.journal")
    with EsploraServer(builder.store) as server:
        session = make_session(RecordingAdapter(cassette, journal))
        session.headers["Authorization"] = "Bearer SECRET-BEARER"
        session.headers["X-API-Key"] = "SECRET-HEADER"
        host = server.api_url.split("//")[1]
        url = f"http://user:SECRET-PASS@{host}/address/{address}?token=SECRET-TOKEN&api_key=SECRET-KEY&b=2&a=1"
        assert session.get(url).status_code == 200
    journal.close()
    journal_text = (tmp_path / "c.json.journal").read_text()
    cassette.save()
    for text in (journal_text, (tmp_path / "c.json").read_text()):
        assert "SECRET" not in text and "user:" not in text
        assert f"/address/{address}?a=1&b=2" in text
    replayed = make_session(ReplayAdapter(Cassette.load(tmp_path / "c.json"))).get(url)
    assert replayed.status_code == 200


def test_refusals_that_will_be_retried_are_not_recorded(tmp_path, builder):
    from btctrace.testing.server import Fault

    address = builder.address("p2wpkh")
    builder.coinbase(800_000, address, 100_000)
    cassette = Cassette(tmp_path / "c.json")
    with EsploraServer(builder.store) as server:
        server.faults.append(Fault("/address/", status=429, times=1))
        session = make_session(RecordingAdapter(cassette))
        assert session.get(f"{server.api_url}/address/{address}").status_code == 429
        assert not cassette.interactions
        assert session.get(f"{server.api_url}/address/{address}").status_code == 200
    assert len(cassette.interactions) == 1


def test_replay_through_eight_threads_opens_no_socket(recorded, monkeypatch):
    import threading
    from concurrent.futures import ThreadPoolExecutor

    path, urls, answers = recorded
    attempts = []

    def refuse(self, *args, **kwargs):
        attempts.append(args)
        raise AssertionError("replay opened a socket")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    session = make_session(ReplayAdapter(Cassette.load(path)))
    barrier = threading.Barrier(8)

    def replay(n):
        barrier.wait()
        return [session.get(urls[(n + i) % len(urls)]).text for i in range(300)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(replay, range(8)))
    assert attempts == [] and len(results) == 8
    assert all(text in {a.text for a in answers} for result in results for text in result)


def test_two_different_answers_for_one_request_make_the_cassette_ambiguous(recorded, tmp_path):
    path, urls, _ = recorded
    data = json.loads(path.read_text())
    twin = json.loads(json.dumps(data["interactions"][1]))
    twin["response"]["fetched_at"] = "2030-01-01T00:00:00.000000Z"  # fetched again, same answer: fine
    data["interactions"].append(twin)
    path.write_text(json.dumps(data))
    assert len(Cassette.load(path).interactions) == 3
    other = json.loads(json.dumps(twin))
    other["response"]["body"]["string"] += " (another answer)"
    data["interactions"].insert(0, other)
    path.write_text(json.dumps(data))
    with pytest.raises(CassetteError, match="two different answers for GET") as raised:
        Cassette.load(path)
    assert twin["request"]["uri"] in raised.value.message and raised.value.exit_code == 5


@pytest.mark.parametrize("where", ["cassette", "interaction", "metadata", "journal"])
def test_deeply_nested_json_in_a_cassette_or_journal_is_refused_clearly(recorded, where):
    path, _, _ = recorded
    data = json.loads(path.read_text())
    deep = "[" * 100_000 + "]" * 100_000
    if where == "cassette":
        text = json.dumps(data)[:-1] + f', "extra": {deep}}}'
    elif where == "interaction":
        data["interactions"][0]["request"]["body"] = json.loads("[" * 40 + "]" * 40)
        text = json.dumps(data)
    else:
        data["metadata"] = {"api_url": "x", "deep": json.loads("[" * 40 + "]" * 40)}
        text = json.dumps(data)
    if where == "journal":
        path = path.with_name("c.json.journal")
        path.write_text(json.dumps(data["interactions"][0])[:-1] + f', "extra": {deep}}}\n')
        with pytest.raises(CassetteError, match="corrupt"):
            Journal.read(path)
        return
    path.write_text(text)
    with pytest.raises(CassetteError):
        Cassette.load(path)
