"""The recording's crash-safe journal."""

import pytest

from btctrace.cache.journal import Journal, journal_path_for
from btctrace.errors import CassetteError, RecordingBusy


def test_journal_ignores_a_line_cut_short_by_a_crash_but_not_a_corrupt_one(tmp_path):
    item = {"request": {"method": "GET", "uri": "http://a/x", "body": None, "headers": {}},
            "response": {"status": {"code": 200, "message": "OK"}, "headers": {}, "body": {"string": "1"}}}
    journal = Journal(tmp_path / "j")
    journal.append(item)
    journal.append(item)
    journal.close()
    text = (tmp_path / "j").read_text()
    (tmp_path / "j").write_text(text + text[:40])
    assert len(Journal.read(tmp_path / "j")) == 2
    (tmp_path / "j").write_text(text[:40] + "\n" + text)
    with pytest.raises(CassetteError, match="journal line 1"):
        Journal.read(tmp_path / "j")


def test_the_journal_is_the_recordings_lock_and_sits_beside_the_cassette(tmp_path):
    path = journal_path_for(tmp_path / "case.json")
    assert path == tmp_path / "case.json.journal"
    first = Journal(path)
    with pytest.raises(RecordingBusy):
        Journal(path)
    first.finish()
    assert not path.exists()
    Journal(path).close()  # free again once the first recording finished
