"""``btctrace case new`` (btctrace/case_template.py): a case file every field of which is filled
or commented, that loads as written and runs (issue 33)."""

import pytest
from click.testing import CliRunner

from btctrace.case import load_case
from btctrace.case_template import CaseDraft, case_template, write_case_template
from btctrace.cli import cli
from btctrace.errors import ExitCode, UsageProblem
from btctrace.testing.server import EsploraServer

SEED = "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh"


@pytest.mark.parametrize("draft", [
    CaseDraft("ransom-2026-001", (SEED,)),
    CaseDraft("c.2", (SEED, "ab" * 32 + ":1"), title='The "Example" Ltd — ransom\\', examiner="DC Ä. Smith",
              agency="RCCU", exhibit="JS/1", direction="backward",
              api_urls=("https://u:p@esplora.unit.local/api", "https://mempool.space/api"), tag_paths=("own.yaml",)),
])
def test_the_template_loads_as_the_case_it_describes(tmp_path, draft):
    (tmp_path / "own.yaml").write_text("title: t\ncreator: c\ntags: []\n")
    path = write_case_template(draft, tmp_path / "case.toml")
    case = load_case(path)
    assert case.id == draft.case_id and case.info.title == (draft.title or draft.case_id)
    assert case.info.examiner == draft.examiner and case.info.synthetic is False
    text = path.read_text()
    for commented in ("# victims", "# seed_owner", "# min_value", "# since", "# cross_check", "[notes]", "[prices]"):
        assert commented in text


@pytest.mark.parametrize("case_id, seeds, said", [
    ("../escape", (SEED,), "is not usable"), ("ok", (), "at least one seed"), ("ok", ("not-a-seed",), "not-a-seed"),
])
def test_a_bad_id_or_seed_is_refused(case_id, seeds, said):
    with pytest.raises(UsageProblem, match=said):
        case_template(CaseDraft(case_id, seeds))


def test_an_existing_file_needs_force(tmp_path):
    path = tmp_path / "case.toml"
    path.write_text("mine")
    with pytest.raises(UsageProblem, match="exists"):
        write_case_template(CaseDraft("c", (SEED,)), path)
    write_case_template(CaseDraft("c", (SEED,)), path, force=True)
    assert load_case(path).id == "c"


def test_case_new_then_a_live_recorded_run_then_verify(demo, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with EsploraServer(demo.store) as server:
        made = CliRunner().invoke(cli, ["case", "new", "first-case", demo.ransom_address, "--api-url", server.api_url,
                                        "--examiner", "DC J. Smith"])
        assert made.exit_code == 0, made.output
        assert "btctrace case run cases/first-case.toml --live --record" in made.stdout
        again = CliRunner().invoke(cli, ["case", "new", "first-case", demo.ransom_address])
        assert again.exit_code == ExitCode.USAGE
        run = CliRunner().invoke(cli, ["case", "run", "cases/first-case.toml", "--live", "--record", "--no-store"])
        assert run.exit_code == 0, run.output
    verified = CliRunner().invoke(cli, ["case", "verify", "cases/first-case.toml"])
    assert verified.exit_code == 0, verified.output
