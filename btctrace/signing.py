"""An examiner's signature on an output folder (``btctrace sign``) and its check (``verify``).

The manifest hashes every output and every piece of evidence; what nothing in the folder can
re-derive (the run's time, its machine, the workers: :mod:`btctrace.statements`) rests on the
manifest alone. Signing binds the manifest, and ``taint/``'s manifest when there is one, to the
examiner's Ed25519 key (RFC 8032, through the ``cryptography`` library): an edited manifest no
longer matches its signature, and ``verify`` names it.

``signature.json`` holds what was signed (the SHA-256 of each signed file, the signer's words,
the UTC time), the public key and its fingerprint (OpenSSH style, ``SHA256:…``), and the
signature over ``btctrace.signature/1`` and that content as canonical JSON. The private key
never leaves the examiner's file; ``verify --signer-key`` pins the public key expected, since
anyone can sign a folder with a key of their own.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import stat
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from btctrace import safejson
from btctrace.cache.provenance import sha256_file
from btctrace.errors import SigningError
from btctrace.exports.writing.atomic import MANIFEST_NAME, SIGNATURE_NAME, write_text
from btctrace.files import read_regular_text
from btctrace.manifest import TAINT_MANIFEST_NAME

__all__ = ["SIGNATURE_NAME", "SIGNATURE_SCHEMA", "SignatureCheck", "check_signature", "fingerprint",
           "load_public_key", "sign_folder"]

SIGNATURE_SCHEMA = "btctrace.signature/1"
_SIGNED_FILES = (MANIFEST_NAME, f"taint/{TAINT_MANIFEST_NAME}")


def _read_key_bytes(path: Path, what: str) -> bytes:
    try:
        return read_regular_text(path).encode("utf-8")
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise SigningError(f"the {what} {path} cannot be read ({type(exc).__name__})",
                           "Give a PEM or OpenSSH Ed25519 key file") from None


def _private_key(path: Path, passphrase: bytes | None) -> Ed25519PrivateKey:
    data = _read_key_bytes(path, "key")
    loaders = (serialization.load_ssh_private_key,) if b"OPENSSH PRIVATE KEY" in data else \
        (serialization.load_pem_private_key,)
    try:
        key = loaders[0](data, password=passphrase)
    except TypeError:
        raise SigningError(f"the key {path} is protected by a passphrase",
                           "Name the environment variable holding it with --passphrase-env") from None
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise SigningError(f"the key {path} cannot be loaded ({' '.join(str(exc).split())[:120]})",
                           "Give an Ed25519 private key (openssl genpkey -algorithm ed25519, or ssh-keygen -t ed25519)") \
            from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningError(f"the key {path} is not an Ed25519 key", "btctrace signs with Ed25519 keys only")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    """An Ed25519 public key: PEM (``BEGIN PUBLIC KEY``) or an OpenSSH ``ssh-ed25519`` line."""
    data = _read_key_bytes(path, "public key")
    try:
        key = serialization.load_ssh_public_key(data.strip()) if data.startswith(b"ssh-") else \
            serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise SigningError(f"the public key {path} cannot be loaded ({' '.join(str(exc).split())[:120]})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise SigningError(f"the public key {path} is not an Ed25519 key")
    return key


def _raw(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def fingerprint(key: Ed25519PublicKey) -> str:
    """``SHA256:`` and the unpadded base64 of the key's SHA-256, as ``ssh-keygen -l`` shows it."""
    return "SHA256:" + base64.b64encode(hashlib.sha256(_raw(key)).digest()).decode().rstrip("=")


def _signed_files(out_dir: Path) -> dict[str, str]:
    files = {}
    for name in _SIGNED_FILES:
        path = out_dir / name
        try:
            regular = stat.S_ISREG(os.lstat(path).st_mode)
        except FileNotFoundError:
            continue
        if not regular:
            raise SigningError(f"{path} is not a regular file: refused")
        files[name] = sha256_file(path)
    if MANIFEST_NAME not in files:
        raise SigningError(f"{out_dir} holds no {MANIFEST_NAME}", "Sign the output folder of a finished btctrace run")
    return files


def _message(content: dict[str, Any]) -> bytes:
    return (SIGNATURE_SCHEMA + "\n" + json.dumps(content, sort_keys=True, separators=(",", ":"))).encode("utf-8")


def sign_folder(out_dir: Path, key_path: Path, signer: str, passphrase: bytes | None = None) -> Path:
    """Sign *out_dir*'s manifest (and taint manifest) with the Ed25519 key at *key_path*; the
    path of the ``signature.json`` written."""
    key = _private_key(key_path, passphrase)
    content = {"files": _signed_files(out_dir), "signer": signer,
               "signed_utc": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
    public = key.public_key()
    document = {"schema": SIGNATURE_SCHEMA, "algorithm": "Ed25519", "signed": content,
                "public_key": base64.b64encode(_raw(public)).decode(), "key_fingerprint": fingerprint(public),
                "signature": base64.b64encode(key.sign(_message(content))).decode()}
    path = out_dir / SIGNATURE_NAME
    write_text(path, json.dumps(document, indent=2, sort_keys=True) + "\n")
    return path


@dataclass(frozen=True)
class SignatureCheck:
    ok: bool
    detail: str


def _document(out_dir: Path) -> dict[str, Any]:
    try:
        document = safejson.loads(read_regular_text(out_dir / SIGNATURE_NAME))
        signed = document["signed"]
        if document["schema"] != SIGNATURE_SCHEMA or document["algorithm"] != "Ed25519" or \
                not isinstance(signed, dict) or not isinstance(signed.get("files"), dict):
            raise ValueError("not a btctrace.signature/1 document")
        document["_key"] = Ed25519PublicKey.from_public_bytes(base64.b64decode(document["public_key"], validate=True))
        document["_signature"] = base64.b64decode(document["signature"], validate=True)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SigningError(f"{out_dir / SIGNATURE_NAME} is unreadable ({type(exc).__name__})") from None
    return document


def check_signature(out_dir: Path, pinned: Ed25519PublicKey | None = None) -> SignatureCheck:
    """Whether *out_dir*'s signature holds: made by the key it names (by *pinned*, when given)
    over the files as they are now. Raises :class:`SigningError` when it cannot be read."""
    document = _document(out_dir)
    key, signed = document["_key"], document["signed"]
    who = f"key {fingerprint(key)} ({signed.get('signer') or 'no signer named'}, {signed.get('signed_utc')})"
    if pinned is not None and _raw(pinned) != _raw(key):
        return SignatureCheck(False, f"signed by {who}, not by the key given ({fingerprint(pinned)})")
    try:
        key.verify(document["_signature"], _message(signed))
    except InvalidSignature:
        return SignatureCheck(False, f"{SIGNATURE_NAME} does not match its content: it was edited after signing")
    if set(signed["files"]) - set(_SIGNED_FILES):
        return SignatureCheck(False, f"{SIGNATURE_NAME} names files btctrace does not sign: refused")
    now = {name: sha256_file(out_dir / name) for name in signed["files"] if (out_dir / name).is_file()}
    changed = sorted(name for name, digest in signed["files"].items() if now.get(name) != digest)
    if changed:
        return SignatureCheck(False, f"{', '.join(changed)} changed after {who} signed it")
    unsigned = sorted(name for name in _SIGNED_FILES if name not in signed["files"] and (out_dir / name).exists())
    note = f"; {', '.join(unsigned)} was written after signing and is not covered" if unsigned else ""
    return SignatureCheck(True, f"signed by {who}; {', '.join(sorted(signed['files']))} unchanged since{note}")
