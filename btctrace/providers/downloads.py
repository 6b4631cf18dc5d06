"""Downloading a public attribution source (``btctrace tags fetch``): one file, streamed to disk
with a size bound, its SHA-256 computed as it arrives, the time it was fetched and the URL it
came from (credentials removed) kept beside it. Written to a temporary file and renamed, so a
failed download never leaves half a file under the name an import reads."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import requests

from btctrace.errors import DownloadFailed
from btctrace.providers.http import make_session
from btctrace.urls import public_url

__all__ = ["DEFAULT_MAX_DOWNLOAD_BYTES", "Download", "download"]

DEFAULT_MAX_DOWNLOAD_BYTES = 512 * 1024 * 1024  # OFAC's sdn_advanced.xml was ~80 MB in 2023
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Download:
    url: str  # as it may be written: no credentials
    path: Path
    sha256: str
    size: int
    fetched_utc: str


def _stream(response: requests.Response, url: str, temporary: Path, limit: int) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(temporary, "wb") as stream:
        for chunk in response.iter_content(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise DownloadFailed(url, f"larger than {limit:,} bytes: stopped")
            digest.update(chunk)
            stream.write(chunk)
    return digest.hexdigest(), size


def download(url: str, target: Path, limit: int = DEFAULT_MAX_DOWNLOAD_BYTES, timeout: float = 60.0) -> Download:
    """Fetch *url* into *target* (its folder created as needed)."""
    shown = public_url(url)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        with make_session() as session, session.get(url, stream=True, timeout=(10.0, timeout)) as response:
            if response.status_code != 200:
                raise DownloadFailed(shown, f"HTTP {response.status_code}")
            sha256, size = _stream(response, shown, temporary, limit)
        fetched = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        os.replace(temporary, target)
    except requests.RequestException as exc:
        raise DownloadFailed(shown, type(exc).__name__) from None
    except OSError as exc:
        raise DownloadFailed(shown, f"cannot write {target} ({exc.strerror or exc})") from None
    finally:
        temporary.unlink(missing_ok=True)
    return Download(shown, target, sha256, size, fetched)
