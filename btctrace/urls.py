"""Credentials in URLs: the one place they are taken out. An explorer given as
``https://user:secret@host/api`` (or ``…?api_key=…``) is used with its credentials, sent as an
HTTP ``Authorization`` header (which no cassette keeps), and everywhere else (cassettes,
manifest, ``trace.json``, report, tables, graph files, the terminal) is named by its
:func:`public_url`, which has neither the user, the password nor secret query parameters
(issue 32: a password reached seven outputs). Pure; no I/O."""

from __future__ import annotations

from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

__all__ = ["SECRET_PARAMETERS", "public_url", "url_credentials"]

# Query parameters that carry credentials (BlockCypher token, Blockchair key, OAuth, ...).
SECRET_PARAMETERS = frozenset({
    "token", "key", "api_key", "apikey", "api-key", "access_token", "client_secret", "client_id",
    "secret", "password", "auth", "signature", "sig",
})


def public_url(url: str, keep_user: bool = False) -> str:
    """*url* without its credentials: no password, no user (unless *keep_user*: a database
    login name, not a secret) and no secret query parameter; other parameters kept in order."""
    if "@" not in url and "?" not in url:
        return url  # nothing to remove: nearly every URL
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"  # an IPv6 literal keeps its brackets
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    if keep_user and parts.username:
        host = f"{parts.username}@{host}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() not in SECRET_PARAMETERS]
    return urlunsplit((parts.scheme, host, parts.path, urlencode(query), parts.fragment))


def url_credentials(url: str) -> tuple[str, str] | None:
    """The user and password written into *url* (``https://user:secret@host``), or None."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return None
    return unquote(parts.username or ""), unquote(parts.password or "")
