"""JSON text of the outputs (orjson) is the standard module's, byte for byte."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from btctrace import jsontext

NASTY = ["a\"b\\c", "\x00\x01\x1f\x7f", "\u2028\u2029", "é€😀", "<script>&amp;", "\t\n\r\b\f", "=cmd|' /C calc'!A0"]
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-2**63, 2**63 - 1), st.text(), st.sampled_from(NASTY),
                    st.floats(allow_nan=False, allow_infinity=False).filter(lambda x: x == 0 or abs(x) >= 1e-4))
DOCUMENTS = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
                         max_leaves=30)


@settings(max_examples=300, deadline=None)
@given(DOCUMENTS)
def test_indented_and_compact_text_is_the_standard_modules(document):
    for sort_keys in (False, True):
        assert jsontext.dumps(document, sort_keys=sort_keys) == \
            json.dumps(document, ensure_ascii=False, indent=2, sort_keys=sort_keys)
        assert jsontext.dumps(document, indent=False, sort_keys=sort_keys) == \
            json.dumps(document, ensure_ascii=False, separators=(",", ":"), sort_keys=sort_keys)


@pytest.mark.parametrize("value", [{"big": 2**70}, {"lone": "\ud800"}, {1: "int key"}])
def test_what_orjson_refuses_or_rewrites_is_encoded_as_the_standard_module_does(value):
    assert jsontext.dumps(value) == json.dumps(value, ensure_ascii=False, indent=2)


def _streaming(document, draw):
    """*document* with some of its lists (at any depth on a path of dicts) made Streamed."""
    if isinstance(document, list) and draw(st.booleans()):
        return jsontext.Streamed(lambda items=tuple(document): iter(items), len(document))
    if isinstance(document, dict) and all(isinstance(k, str) for k in document):
        return {key: _streaming(value, draw) for key, value in document.items()}
    return document


@settings(max_examples=300, deadline=None)
@given(DOCUMENTS, st.data())
def test_streamed_pieces_join_to_the_whole_documents_text(document, data):
    streamed = _streaming({"head": 1, "items": document, "tail": [document]}, data.draw)
    whole = {"head": 1, "items": document, "tail": [document]}
    assert "".join(jsontext.indented_pieces(streamed)) == jsontext.dumps(whole)
    assert "".join(jsontext.indented_pieces(streamed, sort_keys=True)) == jsontext.dumps(whole, sort_keys=True)
    assert "".join(jsontext.compact_pieces(streamed)) == jsontext.dumps(whole, indent=False, sort_keys=True)


def test_a_streamed_array_is_made_item_by_item_as_it_is_written():
    made = []

    def items():
        for number in range(3):
            made.append(number)
            yield {"n": number}
    pieces = jsontext.indented_pieces({"rows": jsontext.Streamed(items, 3)})
    assert next(pieces) == '{\n  "rows": ' and made == []
    assert next(pieces) == '[\n    {\n      "n": 0\n    }' and made == [0]
    assert next(pieces) == ',\n    {\n      "n": 1\n    }' and made == [0, 1]
    assert "".join(pieces).endswith("\n  ]\n}") and made == [0, 1, 2]
    assert len(jsontext.Streamed(items, 3)) == 3
