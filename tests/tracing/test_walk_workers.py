"""A worker pool changes how fast a trace runs, never what it finds or records."""

import json

import pytest

from btctrace.exports import OUTPUT_FILES
from btctrace.runner import TraceJob, run_trace
from btctrace.testing.server import EsploraServer
from btctrace.tracing.result import Seed, TraceLimits
from tests.conftest import EVIDENCE_BOUND_OUTPUTS, comparable_cassette


@pytest.mark.parametrize("direction", ["forward", "backward"])
def test_one_worker_and_four_workers_give_the_same_bytes(demo, tmp_path, direction):
    from btctrace.tracing.result import Direction

    seeds = (Seed("address", demo.ransom_address),)
    with EsploraServer(demo.store) as server:
        for workers in (1, 4):
            run_trace(TraceJob(seeds, tmp_path / f"w{workers}", direction=Direction(direction),
                               limits=TraceLimits(hops=20, max_transactions=40), api_url=server.api_url,
                               record=tmp_path / f"w{workers}.json", workers=workers,
                               no_store=True))  # the second run would get the first's final answers from a store
        assert len(server.requests) == 2 * len(set(server.requests)), "each run asks each URL once"
    for name in sorted(set(OUTPUT_FILES) - EVIDENCE_BOUND_OUTPUTS):
        assert (tmp_path / "w1" / name).read_bytes() == (tmp_path / "w4" / name).read_bytes(), name
    first, second = ((tmp_path / f"w{n}.json").read_text() for n in (1, 4))
    assert comparable_cassette(first) == comparable_cassette(second)
    assert [i["request"] for i in json.loads(first)["interactions"]] == \
        [i["request"] for i in json.loads(second)["interactions"]], "same requests in the same (sorted) order"
