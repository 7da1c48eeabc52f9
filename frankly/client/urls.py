"""Meeting links: the signaling URL, room, passphrase and invite they carry."""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit, urlunsplit


def split_url(url: str, room: str | None = None) -> tuple[str, str]:
    """The signaling URL and the room name for a meeting URL.

    ``http://host:8080/team-sync`` gives ``ws://host:8080/ws`` and ``team-sync``;
    ``https://`` gives ``wss://``. With ``room`` given, ``url`` is the server's
    base URL (``http://host:8080``). A path before the room name is kept, for a
    server behind a reverse proxy under a prefix.
    """
    parts = urlsplit(url)
    scheme = {"http": "ws", "https": "wss", "ws": "ws", "wss": "wss"}.get(parts.scheme)
    if scheme is None or not parts.netloc:
        raise ValueError(f"not an http(s) or ws(s) URL: {url!r}")
    path = parts.path.rstrip("/")
    if room is None:
        base, _, last = path.rpartition("/")
        room = unquote(last)
        if not room:
            raise ValueError(f"the URL {url!r} names no room: give room=...")
    elif path.endswith("/ws"):
        base = path[: -len("/ws")]
    else:
        base = path
    return urlunsplit((scheme, parts.netloc, base + "/ws", "", "")), room


def passphrase_from_url(url: str) -> str | None:
    """The passphrase in a meeting link's fragment (``.../room#passphrase=...``), if any.

    Read as the web client reads it (URLSearchParams): browsers never send the
    fragment to a server.
    """
    return _first(parse_qs(urlsplit(url).fragment).get("passphrase"))


def invite_from_url(url: str) -> str | None:
    """The invite token in a meeting link's query (``.../room?invite=...``), else in its
    fragment (``.../room#invite=...``, as a dialogue meeting's entry gives it), if any."""
    parts = urlsplit(url)
    found = _first(parse_qs(parts.query).get("invite"))
    return found if found is not None else _first(parse_qs(parts.fragment).get("invite"))


def _first(values: list[str] | None) -> str | None:
    return values[0] if values and values[0] else None
