"""JSON from outside: too deep a nesting is bad data (ValueError), never a RecursionError."""

import pytest

from btctrace import safejson


def test_ordinary_json_parses_as_with_the_standard_library():
    assert safejson.loads('{"a": [1, 2.5, null]}') == {"a": [1, 2.5, None]}


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000, '{"a":' * 50_000 + "1" + "}" * 50_000])
def test_nesting_beyond_the_parser_limit_is_a_value_error(text):
    with pytest.raises(ValueError, match="nested too deeply"):
        safejson.loads(text)
