"""The demo trace's whole output folder, written once for the interchange tests, which read the
files in their real readers (the JavaScript readers are in tests/exports/test_readers_js.py)."""

import pytest

from btctrace.analysis import analyse
from btctrace.case import CaseInfo
from btctrace.exports import write_outputs

CASE = CaseInfo("demo-ransom", "DemoLocker ransom (synthetic)", True, kind="ransomware")


@pytest.fixture(scope="package")
def written(demo_trace, tmp_path_factory):
    result, graph, tags = demo_trace
    folder = tmp_path_factory.mktemp("interchange")
    write_outputs(result, analyse(result, tags=tags), graph, tags, CASE, folder)
    return folder, result, graph
