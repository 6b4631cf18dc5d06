"""Record and replay explorer traffic as vcrpy-format JSON cassettes.

The file is vcrpy's cassette schema (``version: 1``, ``interactions`` of request/response
dicts, optional ``metadata``) serialised as JSON with 4-space indent, so stock vcrpy
(``serializer="json"``) can replay it and a reviewer can read it. Bodies are stored decoded.

btctrace does not patch sockets the way vcrpy does. It mounts a ``requests`` transport
adapter on its one session: :class:`RecordingAdapter` passes requests to the network and keeps
each final answer; :class:`ReplayAdapter` answers from a dict keyed by ``(method, url)``, in
O(1), and never opens a socket. A request the cassette lacks raises
:class:`~btctrace.errors.OfflineMiss` naming it.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from requests.adapters import BaseAdapter, HTTPAdapter
from requests.structures import CaseInsensitiveDict

from btctrace.errors import CassetteError, OfflineMiss, OutputError

__all__ = ["Cassette", "RecordingAdapter", "ReplayAdapter", "CASSETTE_FORMAT_VERSION"]

CASSETTE_FORMAT_VERSION = 1
_KEPT_RESPONSE_HEADERS = ("Content-Type",)
_KEPT_REQUEST_HEADERS = ("Accept", "User-Agent")


@dataclass
class Cassette:
    """Interactions keyed by ``(METHOD, url)``; saved sorted, so equal traffic gives equal bytes."""

    path: Path
    interactions: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()

    @classmethod
    def load(cls, path: str | Path) -> "Cassette":
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise CassetteError(str(path), "no such file") from None
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise CassetteError(str(path), f"not readable JSON ({exc})") from None
        cassette = cls(path=path, metadata=_metadata_of(path, data))
        for number, item in enumerate(data["interactions"]):
            method, uri = _check_interaction(path, number, item)
            cassette.interactions[(method, uri)] = item
        return cassette

    def add(self, request: dict[str, Any], response: dict[str, Any]) -> None:
        with self._lock:
            self.interactions[(request["method"].upper(), request["uri"])] = {
                "request": request,
                "response": response,
            }

    def get(self, method: str, uri: str) -> dict[str, Any] | None:
        return self.interactions.get((method.upper(), uri))

    def to_json(self) -> str:
        ordered = [self.interactions[key] for key in sorted(self.interactions)]
        data: dict[str, Any] = {"version": CASSETTE_FORMAT_VERSION, "interactions": ordered}
        if self.metadata:
            data["metadata"] = self.metadata
        return json.dumps(data, indent=4, sort_keys=True, ensure_ascii=False) + "\n"

    def save(self) -> None:
        """Write atomically: a temporary file in the same folder, then rename."""
        text = self.to_json()
        folder = self.path.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
            handle, temp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=folder)
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
                stream.flush()
                os.fsync(stream.fileno())
            os.chmod(temp, 0o644)
            os.replace(temp, self.path)
        except OSError as exc:
            raise OutputError(str(self.path), exc.strerror or str(exc)) from exc


def _metadata_of(path: Path, data: Any) -> dict[str, Any]:
    if not isinstance(data, dict) or not isinstance(data.get("interactions"), list):
        raise CassetteError(str(path), "not a vcrpy cassette (no 'interactions' list)")
    if data.get("version") != CASSETTE_FORMAT_VERSION:
        raise CassetteError(str(path), f"unsupported cassette version {data.get('version')!r}")
    metadata = data.get("metadata") or {}
    if not isinstance(metadata, dict):
        raise CassetteError(str(path), "'metadata' should be an object")
    return metadata


def _check_interaction(path: Path, number: int, item: Any) -> tuple[str, str]:
    try:
        request, response = item["request"], item["response"]
        method, uri = str(request["method"]).upper(), str(request["uri"])
        int(response["status"]["code"])
        body = response["body"]["string"]
    except (KeyError, TypeError, ValueError):
        raise CassetteError(str(path), f"interaction {number} lacks request method/uri or response status/body") from None
    if not isinstance(body, str):
        raise CassetteError(str(path), f"interaction {number} has a non-text body")
    return method, uri


def _response_dict(response: requests.Response) -> dict[str, Any]:
    headers = {name: [response.headers[name]] for name in _KEPT_RESPONSE_HEADERS if name in response.headers}
    return {
        "status": {"code": response.status_code, "message": response.reason or ""},
        "headers": headers,
        "body": {"string": response.text},
    }


def _request_dict(request: requests.PreparedRequest) -> dict[str, Any]:
    headers = {name: [request.headers[name]] for name in _KEPT_REQUEST_HEADERS if name in request.headers}
    return {"method": request.method or "GET", "uri": request.url or "", "body": None, "headers": headers}


class RecordingAdapter(HTTPAdapter):
    """Sends requests to the network and keeps the final answer to each in a cassette."""

    def __init__(self, cassette: Cassette, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cassette = cassette

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        response = super().send(request, *args, **kwargs)
        self.cassette.add(_request_dict(request), _response_dict(response))
        return response


class ReplayAdapter(BaseAdapter):
    """Answers every request from a cassette; opens no socket, ever."""

    def __init__(self, cassette: Cassette) -> None:
        super().__init__()
        self.cassette = cassette

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        method, url = request.method or "GET", request.url or ""
        item = self.cassette.get(method, url)
        if item is None:
            raise OfflineMiss(method, url, str(self.cassette.path))
        stored = item["response"]
        response = requests.Response()
        response.status_code = int(stored["status"]["code"])
        response.reason = stored["status"].get("message", "")
        response.headers = CaseInsensitiveDict(
            {name: values[0] if isinstance(values, list) else values for name, values in stored.get("headers", {}).items()}
        )
        response._content = stored["body"]["string"].encode("utf-8")
        response.encoding = "utf-8"
        response.url = url
        response.request = request
        return response

    def close(self) -> None:
        return None
