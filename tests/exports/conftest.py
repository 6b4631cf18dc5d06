"""A 1,000-transaction case for the chart and print tests (the demo fixtures are in tests/conftest.py)."""

import pytest


@pytest.fixture(scope="session")
def thousand_trace():
    """make_synthetic_case(1000) traced forward without HTTP: (result, graph, analysis)."""
    from btctrace.analysis import analyse
    from btctrace.graph.build import build_graph
    from btctrace.tags import TagIndex
    from btctrace.testing.provider import StoreProvider
    from btctrace.testing.synthetic import make_synthetic_case
    from btctrace.tracing.result import Seed, TraceLimits
    from btctrace.tracing.walk import trace_forward

    case = make_synthetic_case(1000)
    tags = TagIndex()
    result = trace_forward(StoreProvider(case.store), (Seed("address", case.ransom_address),),
                           TraceLimits(hops=50, max_transactions=5_000), tags=tags)
    analysis = analyse(result, tags=tags)
    assert len(result.txs) >= 1000
    return result, build_graph(result, tags, analysis.clusters.ids()), analysis
