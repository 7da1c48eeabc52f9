"""TURN credentials in the TURN REST scheme that coturn checks with `use-auth-secret`.

A leaf: pure functions, no I/O but reading the secret's file, no clock (the
caller passes `now`). coturn and Frankly share one secret; Frankly hands each
participant a username `EXPIRY:PARTICIPANT_ID` (EXPIRY in Unix seconds) and the
password base64(HMAC-SHA1(secret, username)). coturn recomputes the password
from the username and refuses it once EXPIRY has passed, so a credential
leaked from one browser works for nobody after it expires, and the secret
itself never leaves the server.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_TTL = 6 * 3600.0  # seconds a credential is good for: a long meeting's afternoon
MIN_TTL = 60.0  # below this a slow join could be refused before it relays anything
MAX_TTL = 7 * 86400.0
# Fresh credentials go out when this share of the lifetime has passed, so a
# link that restarts ICE near the end still has a working credential.
REFRESH_AT = 0.8

_URL = re.compile(r"^turns?:[^\s?]+(\?transport=(udp|tcp))?$")
_TTL = re.compile(r"^(\d+)([smhd]?)$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


class TurnSecretError(Exception):
    """The secret file cannot be used; the text names the file and what to do."""


@dataclass(frozen=True)
class Turn:
    """The TURN servers this Frankly hands out and the secret it shares with them."""

    urls: tuple[str, ...]
    secret: bytes
    ttl: float = DEFAULT_TTL

    def __repr__(self) -> str:  # the secret stays out of logs and tracebacks
        return f"Turn(urls={self.urls!r}, ttl={self.ttl!r})"


def credential(secret: bytes, participant: str, expiry: int) -> tuple[str, str]:
    """The (username, password) coturn accepts for `participant` until `expiry`."""
    username = f"{expiry}:{participant}"
    digest = hmac.new(secret, username.encode(), hashlib.sha1).digest()
    return username, base64.b64encode(digest).decode("ascii")


def ice_server(turn: Turn, participant: str, now: float) -> dict[str, Any]:
    """One RTCIceServer dictionary with all the TURN URLs, good for `turn.ttl` from `now`."""
    username, password = credential(turn.secret, participant, int(now + turn.ttl))
    return {"urls": list(turn.urls), "username": username, "credential": password}


def refresh_delay(ttl: float) -> float:
    """Seconds after handing out a credential at which to hand out the next one."""
    return ttl * REFRESH_AT


def check_url(url: str) -> str:
    """`url` if it is a turn: or turns: URL (RFC 7065), else ValueError saying why."""
    if not _URL.match(url):
        raise ValueError(
            f"{url!r} is not a TURN URL: turn:HOST[:PORT] or turns:HOST[:PORT], "
            "optionally ?transport=udp or ?transport=tcp"
        )
    return url


def parse_ttl(text: str) -> float:
    """A lifetime in seconds from `3600`, `90m`, `12h` or `1d`; ValueError outside 60s-7d."""
    match = _TTL.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a lifetime: give seconds, or 90m, 12h, 1d")
    seconds = float(int(match[1]) * _UNITS[match[2]])
    if not MIN_TTL <= seconds <= MAX_TTL:
        raise ValueError(f"a TURN credential's lifetime is 60s to 7d, not {text!r}")
    return seconds


def read_secret(path: Path) -> bytes:
    """The shared secret: the file's first line, as coturn's static-auth-secret holds it."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TurnSecretError(f"cannot read the TURN secret file {path}: {exc}") from None
    lines = text.strip().splitlines()
    secret = lines[0].strip() if lines else ""
    if not secret:
        raise TurnSecretError(
            f"the TURN secret file {path} is empty: put in it the value of coturn's "
            "static-auth-secret (one line)"
        )
    return secret.encode("utf-8")
