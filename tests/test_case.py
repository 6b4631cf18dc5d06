"""Case files: the demo case loads; every kind of bad case file is one clear error."""

import pytest

from btctrace.case import load_case
from btctrace.errors import CaseFileError
from btctrace.tracing.result import Direction
from tests.conftest import PROJECT_ROOT

DEMO_CASE = PROJECT_ROOT / "cases" / "demo-ransom.toml"
GOOD = '''
[case]
id = "c1"
[trace]
seeds = ["15JFh88FcE4WL6qeMLgX5VEAFCbRXjc9fr"]
'''


def write(tmp_path, text):
    path = tmp_path / "case.toml"
    path.write_text(text)
    return path


def test_demo_case_loads_and_is_marked_synthetic():
    case = load_case(DEMO_CASE)
    assert case.id == "demo-ransom" and case.synthetic
    assert case.direction is Direction.FORWARD and case.limits.hops == 20
    assert case.cassette == PROJECT_ROOT / "cassettes" / "demo-ransom.json"
    assert case.cassette.exists() and all(p.exists() for p in case.tag_paths)


def test_minimal_case_uses_defaults(tmp_path):
    case = load_case(write(tmp_path, GOOD))
    assert case.title == "c1" and case.limits.hops == 6 and case.cassette is None and not case.synthetic


def test_limits_are_parsed_exactly(tmp_path):
    case = load_case(write(tmp_path, GOOD + 'min_value = "0.001"\nsince = "2021-05-01"\nuntil = "2021-06-30T23:59:59Z"\n'))
    assert case.limits.min_value == 100_000
    assert case.limits.since == 1_619_827_200 and case.limits.until == 1_625_097_599


@pytest.mark.parametrize("text, field, reason", [
    ("[case]\nid = 'x'\n", "trace.seeds", "required"),
    ("[trace]\nseeds = ['15JFh88FcE4WL6qeMLgX5VEAFCbRXjc9fr']\n", "case.id", "required"),
    (GOOD + "hops = 'six'\n", "trace.hops", "an integer"),
    (GOOD + "hops = true\n", "trace.hops", "an integer"),
    (GOOD + "hopz = 6\n", "trace.hopz", "unknown key"),
    (GOOD + "[outputs]\ndir = 'x'\n", "outputs", "unknown section"),
    (GOOD + "direction = 'sideways'\n", "trace.direction", "sideways"),
    (GOOD + "min_value = '0.000000001'\n", "trace.min_value", "8 decimals"),
    (GOOD + "hops = -1\n", "trace.hops", "from 0 to 10,000"),
    (GOOD + "max_fan_out = 0\n", "trace.max_fan_out", "from 1 to"),
    (GOOD + "since = '2021-06-01'\nuntil = '2021-05-01'\n", "trace.since", "after trace.until"),
    (GOOD + "[provider]\nrate = 1e-300\n", "provider.rate", "from 0.001 to 1,000"),
    (GOOD + "[provider]\nrate = nan\n", "provider.rate", "got nan"),
    (GOOD + "[provider]\nrate = inf\n", "provider.rate", "got inf"),
    (GOOD + "[provider]\nworkers = 1000\n", "provider.workers", "from 1 to 32"),
    (GOOD + "network = 'litecoin'\n", "trace.network", "one of"),
    (GOOD + "network = 'testnet'\n", "trace.seeds", "not a testnet one"),
    (GOOD.replace("15JFh88FcE4WL6qeMLgX5VEAFCbRXjc9fr", "15JFh88FcE4WL6qeMLgX5VEAFCbRXjc9fR"), "trace.seeds", "checksum"),
    (GOOD.replace('"c1"', '"../escape"'), "case.id", "letters, digits"),
    (GOOD.replace('id = "c1"', 'id = "c1"\nreport_date = "4 Dec 2026"'), "case.report_date", "YYYY-MM-DD"),
    (GOOD.replace('id = "c1"', 'id = "c1"\nreport_date = "2026-13-40"'), "case.report_date", "2026-13-40"),
    (GOOD.replace('id = "c1"', 'id = "c1"\nvictims = ["not-an-address"]'), "case.victims", "not-an-address"),
    (GOOD.replace('id = "c1"', 'id = "c1"\nvictims = ["' + "ab" * 32 + ':3"]'), "case.victims", "by its txid"),
    (GOOD.replace('id = "c1"', 'id = "c1"\nvictims = "all"'), "case.victims", "a list"),
    ("[case\nid=1", "", "not valid TOML"),
])
def test_bad_case_files_name_the_field(tmp_path, text, field, reason):
    with pytest.raises(CaseFileError) as caught:
        load_case(write(tmp_path, text))
    assert caught.value.field == field and reason in str(caught.value)


def test_missing_case_file(tmp_path):
    with pytest.raises(CaseFileError, match="no such file"):
        load_case(tmp_path / "none.toml")


def test_the_case_names_its_examiner_exhibit_and_roles_and_says_where_they_come_from(tmp_path):
    payment = "6a798026d44af27dbacd28ea21462808df8deca51794cec80c1b59e07ef924a2"
    text = GOOD.replace('id = "c1"', f'''id = "c1"
title = "Colonial Pipeline ransom"
kind = "ransom"
examiner = "J. Doe"
agency = "Cyber Unit"
report_date = "2026-12-04"
exhibit = "JD/7"
victims = ["{payment}", "1DToN8Q6y31TGAz75Df729Bnujk6Xg7q5X"]
seed_owner = "DarkSide affiliate (FBI affidavit, 7 Jun 2021)"''')
    info = load_case(write(tmp_path, text)).info
    assert (info.kind, info.examiner, info.agency, info.report_date, info.exhibit) == \
        ("ransom", "J. Doe", "Cyber Unit", "2026-12-04", "JD/7")
    assert info.victims == (payment, "1DToN8Q6y31TGAz75Df729Bnujk6Xg7q5X")
    assert info.seed_owner.startswith("DarkSide") and info.source == "case file case.toml"
    assert type(info).from_json(info.as_json()) == info, "the manifest carries it whole (verify reruns it)"


def test_a_case_without_roles_names_no_source_for_them(tmp_path):
    info = load_case(write(tmp_path, GOOD)).info
    assert info.victims == () and info.seed_owner == "" and info.source == "" and info.examiner == ""
