"""One recorded interaction: the canonical URI it is kept under (no credentials, no secret
parameters, parameters sorted) and the checks an interaction read back from a file must pass.
The cassette and the journal apply them on load (tests/cache/test_cassettes.py)."""

from pathlib import Path

import pytest

from btctrace.cache.interactions import MAX_DEPTH, answer_of, check_interaction, normalise_uri, within_depth
from btctrace.errors import CassetteError

PATH = Path("case.json")


def interaction(**response):
    answer = {"status": {"code": 200, "message": "OK"}, "headers": {"Content-Type": ["application/json"]},
              "body": {"string": "[]"}, **response}
    return {"request": {"method": "get", "uri": "http://127.0.0.1:3000/api/tx/ab?b=2&a=1", "body": None,
                        "headers": {}}, "response": answer}


def test_a_plain_esplora_uri_is_its_own_normal_form():
    uri = "https://blockstream.info/api/address/bc1qxjg3mae26hp59zqaark3vy6mzthk2llrd57h9d/txs/chain/ab12"
    assert normalise_uri(uri) == uri


def test_credentials_and_secret_parameters_are_removed_and_the_rest_sorted():
    uri = "http://user:pass@Host.example:8080/api/x?token=T&b=2&API_KEY=K&a=1&sig=S"
    assert normalise_uri(uri) == "http://host.example:8080/api/x?a=1&b=2"


def test_an_interaction_is_keyed_by_its_upper_case_method_and_canonical_uri():
    assert check_interaction(PATH, 0, interaction()) == ("GET", "http://127.0.0.1:3000/api/tx/ab?a=1&b=2")
    assert answer_of(interaction()) == (200, "[]")


@pytest.mark.parametrize("response, reason", [
    ({"body": {"string": b"[]"}}, "interaction 3 has a non-text body"),
    ({"body": {}}, "interaction 3 lacks request method/uri or response status/body"),
    ({"status": {"code": "two hundred"}}, "interaction 3 lacks"),
    ({"headers": {"Content-Type": []}}, "interaction 3 has malformed response headers or status"),
    ({"headers": {"Content-Type": [1]}}, "malformed response headers"),
    ({"status": {"code": 200, "message": 7}}, "malformed response headers or status"),
])
def test_a_malformed_interaction_is_refused_with_its_number_and_file(response, reason):
    with pytest.raises(CassetteError, match=reason) as raised:
        check_interaction(PATH, 3, interaction(**response))
    assert "case.json" in raised.value.message


def test_nesting_is_bounded_without_recursion():
    deep: list = []
    for _ in range(100_000):  # far past Python's recursion limit: checked iteratively
        deep = [deep]
    assert not within_depth(deep)
    assert within_depth(interaction()) and within_depth("[[[[[[[[[[[[[[[[[[[[[[[[[[")
    nested: list = []
    for _ in range(MAX_DEPTH - 1):
        nested = [nested]
    assert within_depth(nested) and not within_depth([nested])
    with pytest.raises(CassetteError, match=f"nests deeper than {MAX_DEPTH} levels"):
        check_interaction(PATH, 0, interaction(extra=deep))
