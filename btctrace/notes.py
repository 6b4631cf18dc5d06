"""The analyst's notes: what an investigator wrote on nodes in explorer.html ("Download notes"),
read back so that the report, the entity chart and the next explorer.html show them, marked as
the analyst's words and not the tool's. The file is untrusted input: a regular file, at most
1 MiB, JSON of schema ``btctrace.notes/1``, each note's subject an id of at most 200 characters,
its text at most 2,000 characters, its colour ``#rrggbb``; each output format escapes the text
(:mod:`btctrace.exports.writing.safe_text`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from btctrace.errors import NotesFileError
from btctrace import safejson
from btctrace.files import NotRegularFile, clean_text, read_regular_text

__all__ = ["NOTES_SCHEMA", "Note", "load_notes"]

NOTES_SCHEMA = "btctrace.notes/1"
_MAX_BYTES = 1 << 20
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


@dataclass(frozen=True)
class Note:
    subject: str  # the node's id: an address, a txid or an entity id
    text: str
    colour: str


def _note(path: Path, subject: object, body: object) -> Note:
    if not isinstance(subject, str) or not 0 < len(subject) <= 200:
        raise NotesFileError(str(path), "a note's subject should be a node id of 1 to 200 characters")
    if not isinstance(body, dict) or not isinstance(body.get("text"), str):
        raise NotesFileError(str(path), f"the note on {subject[:80]!r} should be an object with a 'text'")
    text = clean_text(body["text"]).strip()
    if len(text) > 2000:
        raise NotesFileError(str(path), f"the note on {subject[:80]!r} is longer than 2,000 characters")
    colour = body.get("colour", "#e0a800")
    if not isinstance(colour, str) or not _COLOUR.fullmatch(colour):
        raise NotesFileError(str(path), f"the note on {subject[:80]!r} has a colour that is not #rrggbb")
    return Note(clean_text(subject), text, colour.lower())


def load_notes(path: str | Path) -> list[Note]:
    """The notes of *path*, sorted by subject; empty notes are left out."""
    path = Path(path)
    try:
        if path.stat().st_size > _MAX_BYTES:
            raise NotesFileError(str(path), "larger than 1 MiB")
        document = safejson.loads(read_regular_text(path))
    except NotRegularFile as exc:
        raise NotesFileError(str(path), str(exc)) from None
    except OSError as exc:
        raise NotesFileError(str(path), exc.strerror or str(exc)) from None
    except (ValueError, RecursionError) as exc:
        raise NotesFileError(str(path), f"not JSON ({exc})") from None
    if not isinstance(document, dict) or document.get("schema") != NOTES_SCHEMA:
        raise NotesFileError(str(path), f"not a notes file (schema should be {NOTES_SCHEMA!r})")
    notes = document.get("notes")
    if not isinstance(notes, dict):
        raise NotesFileError(str(path), "'notes' should be an object of node id -> note")
    parsed = [_note(path, subject, body) for subject, body in notes.items()]
    return sorted((n for n in parsed if n.text), key=lambda n: n.subject)
