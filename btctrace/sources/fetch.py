"""``btctrace tags fetch``: download a public attribution source (:mod:`.catalogue`), unpack it
when it is an archive, and import it with the options it needs, recording the URL it came from
and when (``tags sources`` shows them, and which imports are stale).

An archive (GraphSense's repository as a zip) is untrusted: only its TagPack files under the
named folder are written, each under its own name inside the target folder (no absolute path,
no ``..``: a "zip slip" member is refused), and the whole is bounded in size (a zip bomb stops)."""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path, PurePosixPath
from typing import Callable

from btctrace.errors import TagSourceError
from btctrace.providers.downloads import Download, download
from btctrace.sources.catalogue import PublicSource
from btctrace.store import Store
from btctrace.store.tag_store import ImportOutcome

__all__ = ["MAX_UNPACKED_BYTES", "default_sources_folder", "fetch_source", "unpack_tagpacks"]

MAX_UNPACKED_BYTES = 2 * 1024 * 1024 * 1024  # the public TagPacks unpack to about 60 MB (2026)


def default_sources_folder() -> Path:
    """Where fetched files are kept: ``sources`` in btctrace's data folder (XDG), beside the store."""
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "btctrace" / "sources"


def _member_path(name: str, folder: str) -> PurePosixPath | None:
    """The path of a TagPack member below ``<top>/<folder>/``, or None (not one of them)."""
    parts = PurePosixPath(name).parts
    if len(parts) < 3 or parts[1] != folder or not name.endswith((".yaml", ".yml")):
        return None
    if name.startswith("/") or ".." in parts or "\\" in name:
        raise TagSourceError(name, "archive", "holds a member whose path leaves its folder: refused")
    return PurePosixPath(*parts[2:])


def unpack_tagpacks(archive: Path, folder: str, target: Path, limit: int = MAX_UNPACKED_BYTES) -> Path:
    """The TagPack files under ``<top>/<folder>/`` of the zip *archive*, written into *target*
    (emptied first); *target*."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    written = 0
    try:
        with zipfile.ZipFile(archive) as opened:
            for member in opened.infolist():
                relative = _member_path(member.filename, folder)
                if relative is None or member.is_dir():
                    continue
                written += member.file_size
                if written > limit:
                    raise TagSourceError(str(archive), "archive", f"unpacks to more than {limit:,} bytes: refused")
                destination = target.joinpath(*relative.parts)
                destination.parent.mkdir(parents=True, exist_ok=True)
                with opened.open(member) as source, open(destination, "wb") as copy:
                    shutil.copyfileobj(source, copy)
    except (zipfile.BadZipFile, OSError) as exc:
        raise TagSourceError(str(archive), "archive", f"cannot be unpacked ({type(exc).__name__})") from None
    if not any(target.iterdir()):
        raise TagSourceError(str(archive), "archive", f"holds no TagPack under {folder}/")
    return target


def fetch_source(store: Store, source: PublicSource, folder: Path, url: str | None = None,
                 progress: Callable[[ImportOutcome], None] | None = None) -> tuple[Download, list[ImportOutcome]]:
    """Download *source* (from *url*, a mirror, when given) into *folder* and import it."""
    got = download(url or source.url, folder / source.file_name)
    path = got.path
    if source.archive_folder:
        path = unpack_tagpacks(got.path, source.archive_folder, folder / Path(source.file_name).stem)
    return got, store.import_file(source.kind, path, source.defaults, progress, origin=(got.url, got.fetched_utc))
