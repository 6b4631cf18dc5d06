"""Shared CLI test helpers: the demo case run once per module into a temporary folder."""

import pytest
from click.testing import CliRunner

from btctrace.cli import cli
from tests.conftest import PROJECT_ROOT

DEMO_CASE = str(PROJECT_ROOT / "cases" / "demo-ransom.toml")


def invoke(*args, **kwargs):
    """Run the CLI as ``btctrace`` with string arguments."""
    return CliRunner().invoke(cli, [str(a) for a in args], prog_name="btctrace", **kwargs)


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory):
    """Output folder of the demo case, run offline from its committed cassette."""
    out = tmp_path_factory.mktemp("demo") / "demo"
    result = invoke("case", "run", DEMO_CASE, "--out", out, "-q")
    assert result.exit_code == 0, result.output
    return out
