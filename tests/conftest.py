"""Shared fixtures. Every test runs with the network blocked: only loopback connections (the
tests' own Esplora servers) are allowed, so a leak fails loudly instead of reaching an explorer."""

from __future__ import annotations

import random
import socket
from pathlib import Path

import pytest

from btctrace.providers.http import RetryPolicy
from btctrace.testing.builder import ChainBuilder
from btctrace.testing.demo import make_demo

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"
FAST_RETRY = RetryPolicy(attempts=4, base_delay=0.001, max_delay=0.01, max_retry_after=0.05, timeout=(2.0, 2.0))
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class NetworkBlocked(RuntimeError):
    pass


def _host_of(address) -> str:
    return address[0] if isinstance(address, tuple) else str(address)


@pytest.fixture(autouse=True)
def block_network(monkeypatch):
    """Refuse any connection or DNS look-up that is not loopback."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo
    attempts: list[str] = []

    def guard(address):
        host = _host_of(address)
        if host not in _LOOPBACK and not str(host).startswith("/"):
            attempts.append(str(host))
            raise NetworkBlocked(f"test tried to reach {host}")

    def connect(self, address):
        guard(address)
        return real_connect(self, address)

    def connect_ex(self, address):
        guard(address)
        return real_connect_ex(self, address)

    def getaddrinfo(host, *args, **kwargs):
        guard((host,))
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return attempts


@pytest.fixture(scope="session")
def demo():
    """The synthetic demo scenario (built once; treat as read-only)."""
    return make_demo()


@pytest.fixture
def builder() -> ChainBuilder:
    return ChainBuilder(random.Random(7), base_height=800_000, base_time=1_690_000_000)


@pytest.fixture
def colonial_dir() -> Path:
    folder = SHARED_DATA / "bih-validation-esplora"
    if not folder.is_dir():
        pytest.skip("../shared/data/bih-validation-esplora is not present")
    return folder


@pytest.fixture(scope="session")
def demo_trace(demo):
    """The demo case traced forward (20 hops) without HTTP, with its tags: (result, graph, tags)."""
    from btctrace.analysis import analyse
    from btctrace.graph.build import build_graph
    from btctrace.tags import load_tagpacks
    from btctrace.testing.demo import demo_tagpack_yaml
    from btctrace.testing.provider import StoreProvider
    from btctrace.tracing.result import Seed, TraceLimits
    from btctrace.tracing.walk import trace_forward
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        tag_file = Path(folder) / "tags.yaml"
        tag_file.write_text(demo_tagpack_yaml(demo))
        tags = load_tagpacks([tag_file])
    result = trace_forward(StoreProvider(demo.store), (Seed("address", demo.ransom_address),),
                           TraceLimits(hops=20), tags=tags)
    return result, build_graph(result, tags, analyse(result).clusters.ids()), tags


def comparable_cassette(text: str, old_base: str = "", new_base: str = "") -> dict:
    """A cassette's content without the fields that record when and whence an answer was fetched
    (``fetched_at``, the ``Date`` header, the ``from_store`` mark of an answer the evidence
    cache gave, and the id of the run that recorded it): equal for two recordings of one chain state."""
    import json

    if old_base:
        text = text.replace(old_base, new_base)
    data = json.loads(text)
    data.get("metadata", {}).pop("run_id", None)
    for item in data["interactions"]:
        item["response"].pop("fetched_at", None)
        item["response"].pop("from_store", None)
        item["response"]["headers"].pop("Date", None)
    return data


# Outputs that record which evidence files they came from (hashes, fetch times) or what the store
# held (tags, links to the other cases registered before; the explorer lists those other cases
# beside each address): identical only when two runs used the same cassette file and store state,
# so tests comparing two recordings leave them out.
EVIDENCE_BOUND_OUTPUTS = frozenset({"report.html", "store_snapshot.json", "explorer.html"})


def figures_of(traced, case=None) -> dict:
    """Everything a trace concludes (a :class:`btctrace.runner.Traced`), as the exhibits state it:
    the trace.json document, the endpoints and the subpoena packet. Two runs with equal figures
    write the same data in every export."""
    from btctrace.exports import CaseInfo
    from btctrace.exports.interchange.endpoints import endpoints_frame
    from btctrace.exports.report.subpoena import subpoena_frame
    from btctrace.exports.interchange.trace_json import trace_document

    document = trace_document(traced.result, traced.graph, traced.tags, case or CaseInfo(), traced.analysis,
                              traced.prices)
    return {"trace": document, "endpoints": endpoints_frame(traced.analysis.taint).to_csv(),
            "subpoena": subpoena_frame(traced.result, traced.analysis, traced.tags, traced.prices).to_csv()}


@pytest.fixture(autouse=True)
def private_store(tmp_path_factory, monkeypatch):
    """Each test gets its own empty store (never the user's): BTCTRACE_STORE points into a
    temporary folder."""
    path = tmp_path_factory.mktemp("store") / "store.sqlite"
    monkeypatch.setenv("BTCTRACE_STORE", str(path))
    return path
