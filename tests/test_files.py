"""Files a user names must be regular files: a FIFO would hang a read and /dev/zero never ends.
Each is refused at once with one line (case file, cassette, journal, manifest)."""

import os
import time
from pathlib import Path

import pytest

from btctrace.cache.cassettes import Cassette
from btctrace.cache.journal import Journal
from btctrace.case import load_case
from btctrace.errors import CaseFileError, CassetteError
from btctrace.files import NotRegularFile, clean_text, read_regular_text


@pytest.fixture
def fifo(tmp_path):
    path = tmp_path / "pipe"
    os.mkfifo(path)
    return path


def test_a_fifo_a_device_and_a_folder_are_not_read(fifo, tmp_path):
    for path in (fifo, Path("/dev/zero"), tmp_path):
        started = time.monotonic()
        with pytest.raises(NotRegularFile):
            read_regular_text(path)
        assert time.monotonic() - started < 2


def test_case_files_and_cassettes_that_are_not_regular_files_are_refused_clearly(fifo):
    with pytest.raises(CaseFileError, match="a FIFO, not a regular file"):
        load_case(fifo)
    for path in (fifo, Path("/dev/zero")):
        with pytest.raises(CassetteError, match="not a regular file"):
            Cassette.load(path)
    with pytest.raises(CassetteError, match="the journal cannot be read"):
        Journal.read(fifo)


def test_lone_surrogates_are_replaced_and_other_text_kept():
    assert clean_text("a\ud800b\udfffc \u202e \U0001f600") == "a\ufffdb\ufffdc \u202e \U0001f600"
