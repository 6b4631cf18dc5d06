"""``btctrace explore``: the page of an output folder, or one line when there is none."""

from btctrace.errors import ExitCode
from tests.cli.conftest import DEMO_CASE, invoke


def test_explore_prints_the_page_of_an_output_folder(tmp_path):
    out = tmp_path / "demo"
    assert invoke("case", "run", DEMO_CASE, "--out", out, "-q").exit_code == 0
    shown = invoke("explore", out, "--print-path")
    assert shown.exit_code == 0 and shown.output.strip() == str((out / "explorer.html").resolve())


def test_a_folder_without_an_explorer_is_refused_in_one_line(tmp_path):
    refused = invoke("explore", tmp_path, "--print-path")
    assert refused.exit_code == ExitCode.USAGE
    assert refused.output.count("\n") == 1 and "has no explorer.html" in refused.output


def test_help_has_an_example():
    assert "btctrace explore out/demo-ransom" in invoke("explore", "--help").output
