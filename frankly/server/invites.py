"""Invite tokens: JWT HS256 signed with the server's key (`invite.key`).

Claims: `room`, `role`, `exp` (required) and an optional `name` the joiner
is then known by. The CLI's `frankly invite` and the `invite` message both
make them; `hello.invite` presents one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt

from frankly.protocol.errors import Code, ProtocolError
from frankly.protocol.messages import room_name_ok
from frankly.server.keys import load_key

KEY_FILE = "invite.key"
ROLES = ("host", "participant", "guest")
_ALGORITHM = "HS256"


@dataclass(frozen=True)
class Grant:
    """What a valid invite lets its holder be."""

    role: str
    name: str | None


class Invites:
    def __init__(self, data_dir: Path | None) -> None:
        self._key = load_key(data_dir, KEY_FILE)

    def make(self, room: str, role: str, ttl: int, name: str | None = None) -> tuple[str, int]:
        """A token and its expiry (Unix seconds)."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        if not room_name_ok(room):
            raise ValueError("a room name is 1 to 64 letters, digits, '-' or '_'")
        exp = int(time.time()) + ttl
        claims: dict[str, Any] = {"room": room, "role": role, "exp": exp}
        if name is not None:
            claims["name"] = name
        return jwt.encode(claims, self._key, algorithm=_ALGORITHM), exp

    def check(self, token: str, room: str) -> Grant:
        """The grant of a token for `room`, or a refusal (closed with 4403)."""
        claims = self._decode(token)
        if claims.get("room") != room:
            raise ProtocolError(Code.INVITE_WRONG_ROOM, "this invite is for another room", "hello")
        role, name = claims.get("role"), claims.get("name")
        if role not in ROLES:
            raise ProtocolError(Code.INVITE_INVALID, f"invite: unknown role {role!r}", "hello")
        if name is not None and not _name_ok(name):
            raise ProtocolError(Code.INVITE_INVALID, "invite: 'name' is not a usable name", "hello")
        return Grant(role=str(role), name=name.strip() if name is not None else None)

    def _decode(self, token: str) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self._key,
                algorithms=[_ALGORITHM],
                options={"require": ["exp", "room", "role"]},
            )
        except jwt.ExpiredSignatureError:
            raise ProtocolError(Code.INVITE_EXPIRED, "this invite has expired", "hello") from None
        except jwt.InvalidTokenError as exc:
            raise ProtocolError(Code.INVITE_INVALID, f"invite: {exc}", "hello") from None
        return claims


def _name_ok(name: object) -> bool:
    return isinstance(name, str) and 1 <= len(name.strip()) <= 64
