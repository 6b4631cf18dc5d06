"""The one rule per output format for untrusted text (btctrace/exports/writing/safe_text.py)."""

from xml.sax.saxutils import escape, quoteattr

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from btctrace.exports.writing.safe_text import (
    dot_string,
    html_text,
    json_in_html,
    spreadsheet_frame,
    spreadsheet_text,
    summarise,
    xml_attribute,
    xml_escaped,
    xml_text,
)


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\",\"y\")", "+cmd|' /C calc'!A0", "-1+1", "@SUM(A1:A9)",
                                  "\t=1", "\r=1"])
def test_a_cell_a_spreadsheet_would_evaluate_is_shown_as_text(text):
    assert spreadsheet_text(text) == "'" + text.replace("\r", "\n")


@pytest.mark.parametrize("value", ["-5", "+3.25", "-1e5", 12, -7, 0.5, None, "plain label", "bc1q", ""])
def test_numbers_and_ordinary_text_stay_as_they_are(value):
    assert spreadsheet_text(value) == value


def test_a_frame_keeps_its_numbers_and_neutralises_its_text():
    frame = pd.DataFrame({"label": ["=1+1", "ok", None], "sats": [1, -2, 3], "mixed": [1, "@x", None]})
    safe = spreadsheet_frame(frame)
    assert safe["label"].tolist()[:2] == ["'=1+1", "ok"] and safe["sats"].tolist() == [1, -2, 3]
    assert safe["mixed"].tolist()[:2] == [1, "'@x"] and frame["label"][0] == "=1+1", "the input is not changed"
    untouched = pd.DataFrame({"a": ["x", "y"]})
    assert spreadsheet_frame(untouched) is untouched


def test_xml_text_drops_only_what_xml_forbids():
    assert xml_text("a\x01b\x0bc\ud800d\ufffe") == "a\ufffdb\ufffdc\ufffdd\ufffd"
    assert xml_text("tab\tnewline\nreturn\r, Ünïcødé, \U0001f600, RTL \u202e") == \
        "tab\tnewline\nreturn\r, Ünïcødé, \U0001f600, RTL \u202e"


def test_dot_strings_are_quoted_and_escaped():
    assert dot_string('a "b" \\ c\nd\x01') == '"a \\"b\\" \\\\ c\\nd\ufffd"'


def test_html_is_escaped():
    assert html_text('<script>alert("x")</script>\x01') == "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;\ufffd"


def test_long_lists_are_summarised():
    assert summarise(["a", "b"], "seeds") == "a, b"
    assert summarise(["a", "b", "c", "d"], "seeds") == "a, b, c, d"
    assert summarise([f"s{i}" for i in range(1_000)], "seeds") == "1,000 seeds: s0, s1, s2 and 997 more"


def test_a_carriage_return_inside_a_cell_cannot_end_the_row():
    assert spreadsheet_text("a\rb\r\nc") == "a\nb\nc" and spreadsheet_text("\r=2") == "'\n=2"


@given(st.one_of(st.text(), st.integers(), st.sampled_from(["bc1q…", "tx 00ab…", "a\"b'c", "x\ny\tz\r", "\x00\ufffe&<>"])))
def test_the_xml_fast_path_writes_the_same_bytes_as_the_two_passes(value):
    assert xml_attribute(value) == quoteattr(xml_text(value))
    assert xml_escaped(value) == escape(xml_text(value))


@given(st.recursive(st.text() | st.integers() | st.none(), lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
                    max_leaves=8))
def test_json_inside_html_is_always_valid_json_of_the_same_value(value):
    import json

    text = json_in_html(json.dumps(value, ensure_ascii=False))
    assert json.loads(text) == value and "<" not in text  # no </script, no <!--: nothing ends the element


@pytest.mark.parametrize("label", ["a<!--b", "x</script><!--y-->", "<!--<script>", "<\\!--"])
def test_the_comment_opener_that_blanked_the_explorer_stays_valid_json(label):
    import json

    assert json.loads(json_in_html(json.dumps({"label": label}))) == {"label": label}


def test_a_byte_order_mark_inside_a_label_is_replaced_for_the_charts():
    assert xml_text("\ufeffBOM\ufeff") == "\ufffdBOM\ufffd"


def test_a_bidi_override_in_a_cell_is_shown_as_its_code_point():
    """Issue 32: U+202E reversed how a label read in a CSV cell (Trojan Source)."""
    assert spreadsheet_text("Exchange \u202egnp.exe") == "Exchange [U+202E]gnp.exe"
    frame = spreadsheet_frame(pd.DataFrame({"label": ["plain", "a\u2066b\u2069"], "sats": [1, 2]}))
    assert list(frame["label"]) == ["plain", "a[U+2066]b[U+2069]"] and list(frame["sats"]) == [1, 2]


def test_chart_text_shows_controls_and_leaves_out_invisible_marks():
    """Issue 32: controls and format characters in a label killed the PDF chart (track_glyph)."""
    from btctrace.exports.writing.safe_text import chart_text

    assert chart_text("plain label") == "plain label"
    assert chart_text("a\x1b]0;x\x07b\x9b") == "a\ufffd]0;x\ufffdb\ufffd"
    assert chart_text("\u202eevil\u202c\u200f\ufeff\u2066x\u2069") == "evilx"
    assert chart_text("Bitfinex 2016 — Börse") == "Bitfinex 2016 — Börse"
