"""Invite tokens: JWT HS256 signed with the server's key (`invite.key`).

Claims: `room`, `role`, `exp` (required), `jti` (its id, which a host may
revoke), and optional: `name`, the name the joiner is then known by, and
`meeting`, the meeting it was made in; `interpret`, the language pair its
holder interprets (never with the role `guest`); and for a dialogue's meeting
(made by the REST API, frankly/api/entry.py, for a member the dialogue
admits): `dialogue`, the dialogue's id, which its room checks, and `side`,
the name of the side its holder speaks for, which the room shows beside
their name. A host's `invite` message always binds
its token to the meeting (server/meetings.py), so it dies when that meeting
is over; `frankly invite`, run by the operator, makes tokens for the room
name, which hold for any meeting of that name. `hello.invite` presents one.
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt

from frankly.protocol.errors import Code, ProtocolError
from frankly.protocol.messages import clean_name, room_name_ok, text_problem
from frankly.protocol.words import LANGUAGE_PATTERN, ROLES, Msg
from frankly.server.keys import load_key

KEY_FILE = "invite.key"
_LANGUAGE = re.compile(LANGUAGE_PATTERN)
_ALGORITHM = "HS256"
SIDE_MAX = 200  # a side's name, as the dialogues keep it (dialogues/texts.py)


@dataclass(frozen=True)
class Grant:
    """What a valid invite lets its holder be."""

    role: str
    name: str | None
    id: str | None  # the jti: what a host revokes
    meeting: str | None  # None: for the room name, whatever the meeting
    dialogue: str | None = None  # the dialogue whose meeting's room it opens
    side: str | None = None  # the name of the side its holder speaks for
    member: str | None = None  # the dialogue member it was made for
    interprets: tuple[str, str] | None = None  # the pair its holder interprets


class Invites:
    def __init__(self, data_dir: Path | None) -> None:
        self._key = load_key(data_dir, KEY_FILE)

    def make(
        self,
        room: str,
        role: str,
        ttl: int,
        name: str | None = None,
        meeting: str | None = None,
        *,
        interprets: tuple[str, str] | None = None,
        dialogue: str | None = None,
        side: str | None = None,
        member: str | None = None,
    ) -> tuple[str, str, int]:
        """A token, its id and its expiry (Unix seconds)."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        if interprets is not None and role == "guest":
            raise ValueError("a guest cannot be an interpreter")
        if interprets is not None and not _is_pair(list(interprets)):
            raise ValueError("a language pair is two different languages, as in en,ru")
        if not room_name_ok(room):
            raise ValueError("a room name is 1 to 64 letters, digits, '-' or '_'")
        exp = int(time.time()) + ttl
        invite_id = "i-" + secrets.token_hex(8)
        claims: dict[str, Any] = {"room": room, "role": role, "exp": exp, "jti": invite_id}
        if name is not None:
            claims["name"] = name
        optional = (
            ("meeting", meeting),
            ("dialogue", dialogue),
            ("side", side),
            ("member", member),
        )
        for claim, value in optional:
            if value is not None:
                claims[claim] = value
        if interprets is not None:
            claims["interpret"] = list(interprets)
        return jwt.encode(claims, self._key, algorithm=_ALGORITHM), invite_id, exp

    def check(self, token: str, room: str) -> Grant:
        """The grant of a token for `room`, or a refusal (closed with 4403)."""
        claims = self._decode(token)
        if claims.get("room") != room:
            raise ProtocolError(
                Code.INVITE_WRONG_ROOM, "this invite is for another room", Msg.HELLO
            )
        role, name = claims.get("role"), claims.get("name")
        invite_id, meeting = claims.get("jti"), claims.get("meeting")
        if role not in ROLES:
            raise ProtocolError(Code.INVITE_INVALID, f"invite: unknown role {role!r}", Msg.HELLO)
        if name is not None:
            name = _usable_name(name)
        dialogue, side, member = claims.get("dialogue"), claims.get("side"), claims.get("member")
        strings = (
            ("jti", invite_id),
            ("meeting", meeting),
            ("dialogue", dialogue),
            ("member", member),
        )
        for claim, value in strings:
            if value is not None and not (isinstance(value, str) and 1 <= len(value) <= 64):
                what = f"invite: '{claim}' is not a string of 1 to 64 characters"
                raise ProtocolError(Code.INVITE_INVALID, what, Msg.HELLO)
        if side is not None:
            side = _usable_side(side)
        interprets = _pair(claims.get("interpret"), role)
        return Grant(
            role=str(role),
            name=name,
            id=invite_id,
            meeting=meeting,
            dialogue=dialogue,
            side=side,
            member=member,
            interprets=interprets,
        )

    def _decode(self, token: str) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self._key,
                algorithms=[_ALGORITHM],
                options={"require": ["exp", "room", "role"]},
            )
        except jwt.ExpiredSignatureError:
            raise ProtocolError(Code.INVITE_EXPIRED, "this invite has expired", Msg.HELLO) from None
        except jwt.InvalidTokenError as exc:
            raise ProtocolError(Code.INVITE_INVALID, f"invite: {exc}", Msg.HELLO) from None
        return claims


def _pair(claim: object, role: object) -> tuple[str, str] | None:
    """The claim's language pair, or a refusal: two different languages, never for a guest."""
    if claim is None:
        return None
    if not isinstance(claim, list) or not _is_pair(claim):
        what = "invite: 'interpret' is not a pair of two different languages"
        raise ProtocolError(Code.INVITE_INVALID, what, Msg.HELLO)
    if role == "guest":
        raise ProtocolError(Code.INVITE_INVALID, "invite: a guest cannot interpret", Msg.HELLO)
    return claim[0], claim[1]


def _is_pair(pair: list[object]) -> bool:
    """Two different languages, each as the protocol writes one (words.LANGUAGE_PATTERN)."""
    return (
        len(pair) == 2
        and all(isinstance(lang, str) and _LANGUAGE.fullmatch(lang) for lang in pair)
        and pair[0] != pair[1]
    )


def _usable_name(name: object) -> str:
    """The claim's name as hello's would be, or a refusal that says why not."""
    if not isinstance(name, str):
        raise ProtocolError(Code.INVITE_INVALID, "invite: 'name' is not a usable name", Msg.HELLO)
    try:
        return clean_name(name)
    except ValueError as exc:
        what = f"invite: 'name' is not a usable name: {exc}"
        raise ProtocolError(Code.INVITE_INVALID, what, Msg.HELLO) from None


def _usable_side(side: object) -> str:
    """The claim's side name, shown to everyone in the room: a line of 1 to SIDE_MAX
    characters that cannot hide or reorder what others see."""
    if not isinstance(side, str) or not 1 <= len(side) <= SIDE_MAX or text_problem(side):
        raise ProtocolError(Code.INVITE_INVALID, "invite: 'side' is not a usable name", Msg.HELLO)
    return side
