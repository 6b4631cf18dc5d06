"""The analyst's notes file: read back from explorer.html's download, refused in one line when
it is not one (wrong schema, bad colour, too long, not a regular file), and carried into the
report, the entity chart and the next explorer.html as the analyst's words, pinned by hash in
the manifest so that verify reruns with the same notes."""

import json
import os

import pytest

from btctrace.errors import ExitCode, NotesFileError
from btctrace.notes import NOTES_SCHEMA, load_notes
from tests.cli.conftest import invoke


def _write(path, notes, schema=NOTES_SCHEMA):
    path.write_text(json.dumps({"schema": schema, "title": "t", "notes": notes}))
    return path


def test_notes_are_read_sorted_and_empty_ones_left_out(tmp_path):
    path = _write(tmp_path / "n.json", {"txb": {"text": "second", "colour": "#00AA00"}, "txa": {"text": "first"},
                                        "txc": {"text": "   "}})
    notes = load_notes(path)
    assert [(n.subject, n.text, n.colour) for n in notes] == [("txa", "first", "#e0a800"), ("txb", "second", "#00aa00")]


@pytest.mark.parametrize("notes, schema, says", [
    ({"a": {"text": "x"}}, "other/1", "not a notes file"),
    ({"a": {"text": "x", "colour": "red"}}, NOTES_SCHEMA, "not #rrggbb"),
    ({"a": {"text": "x" * 2001}}, NOTES_SCHEMA, "longer than 2,000"),
    ({"a": "just text"}, NOTES_SCHEMA, "should be an object with a 'text'"),
    ({"": {"text": "x"}}, NOTES_SCHEMA, "1 to 200 characters"),
])
def test_a_bad_notes_file_is_refused_naming_the_problem(tmp_path, notes, schema, says):
    with pytest.raises(NotesFileError, match=says):
        load_notes(_write(tmp_path / "n.json", notes, schema))


def test_a_fifo_or_non_json_is_refused(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(NotesFileError, match="not a regular file|FIFO"):
        load_notes(fifo)
    (tmp_path / "bad.json").write_text("{nope")
    with pytest.raises(NotesFileError, match="not JSON"):
        load_notes(tmp_path / "bad.json")


def test_notes_reach_report_chart_and_explorer_and_verify_reruns_with_them(tmp_path, demo):
    from pathlib import Path

    cases = Path(__file__).resolve().parents[1] / "cases"
    notes = _write(tmp_path / "notes.json", {
        demo.ransom_address: {"text": "In the ransom note <script>alert(1)</script>", "colour": "#ff0000"},
        demo.coinjoin_txid: {"text": "Ask the makers", "colour": "#00aa00"}})
    case = (cases / "demo-ransom.toml").read_text()
    case = case.replace('"../cassettes/demo-ransom.json"', f'"{cases.parent / "cassettes" / "demo-ransom.json"}"')
    case = case.replace('["demo-tags.yaml"]', f'["{cases / "demo-tags.yaml"}"]') + f'\n[notes]\nfile = "{notes}"\n'
    (tmp_path / "case.toml").write_text(case)
    out = tmp_path / "out"
    run = invoke("case", "run", tmp_path / "case.toml", "--out", out, "-q")
    assert run.exit_code == 0, run.output
    report = (out / "report.html").read_text()
    section = report[report.index('id="analyst-s-notes"'):report.index('id="appendix-a-seeds-and-parameters"')]
    assert "the analyst's own words" in section and "not findings of btctrace" in section
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in section and "<script>alert" not in report
    page = (out / "explorer.html").read_text()
    data = json.loads(page.split('id="btctrace-data">', 1)[1].split("</script>", 1)[0])
    assert data["notes"][demo.coinjoin_txid] == {"text": "Ask the makers", "colour": "#00aa00"}
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["notes"]["sha256"] and (out / manifest["notes"]["path"]).resolve() == notes.resolve()
    verified = invoke("verify", out)
    assert verified.exit_code == 0 and "analyst's notes" in verified.output


def test_the_entity_chart_marks_the_noted_boxes(demo_trace, demo):
    from btctrace.exports.charts.entity_chart import entity_figure, note_marks
    from btctrace.exports.charts.entity_flow import entity_chart
    from btctrace.exports.charts.label_layout import text_boxes
    from btctrace.notes import Note

    result, graph, _ = demo_trace
    chart = entity_chart(graph, result.coinjoins)
    notes = [Note(demo.coinjoin_txid, "Ask the makers", "#00aa00")]
    assert [m for marked in note_marks(chart, notes).values() for m, _ in marked] == ["A1"]
    texts = "\n".join(t for t, _, _ in text_boxes(entity_figure(chart, "t", notes)))
    assert "analyst's note A1" in texts and "[A1] Analyst's note (their words, not the tool's): Ask the makers" in texts


def test_cli_refuses_a_bad_notes_file_in_one_line_before_any_work(tmp_path, demo):
    bad = _write(tmp_path / "n.json", {"a": {"text": "x", "colour": "red"}})
    run = invoke("trace", demo.ransom_address, "--offline", tmp_path / "missing.json", "--notes", bad,
                 "--out", tmp_path / "o", "-q")
    assert run.exit_code == ExitCode.USAGE and run.output.count("\n") == 1 and "#rrggbb" in run.output
    assert not (tmp_path / "o").exists()
