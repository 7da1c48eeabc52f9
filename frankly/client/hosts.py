"""What hosts hear: who knocks in the lobby, the room's settings, the invite tokens they asked for.

An invite token is a JWT whose `jti` claim is its id; `invite_id` reads it
(without checking the signature: only the server can, and it does).

Everyone hears the settings; the server sends knocks and tokens to hosts only.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections import deque
from collections.abc import Callable
from typing import Any

from frankly.client.errors import FranklyError
from frankly.client.events import (
    Event,
    InviteRevoked,
    Knock,
    KnockDone,
    RoomSettings,
    SettingsChanged,
)
from frankly.client.vocabulary import KNOCK_OUTCOMES


def invite_id(token: str) -> str:
    """The id of an invite token (its `jti`), for `revoke`; ValueError if it has none."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        jti = claims["jti"]
    except (IndexError, ValueError, KeyError, TypeError) as exc:
        raise ValueError("not an invite token of a meeting (it has no id)") from exc
    if not isinstance(jti, str):
        raise ValueError("not an invite token of a meeting (its id is not text)")
    return jti


class HostView:
    """The lobby, the settings and pending `invite` requests of one client."""

    def __init__(self, emit: Callable[[Event], None]) -> None:
        self._emit = emit
        self.settings = RoomSettings()
        self.knocks: dict[str, Knock] = {}
        self._invite_replies: deque[asyncio.Future[str]] = deque()

    def welcomed(self, welcome: dict[str, Any]) -> None:
        """The settings and the knocks as a welcome tells them (they may have moved meanwhile)."""
        self.settings = RoomSettings.from_wire(welcome.get("settings"))
        knocks = [Knock.from_wire(k) for k in welcome.get("knocks") or [] if isinstance(k, dict)]
        self.knocks = {k.id: k for k in knocks}

    # --- the server's messages ------------------------------------------------------

    def knock(self, message: dict[str, Any]) -> None:
        knock = Knock.from_wire(message["knock"])
        self.knocks[knock.id] = knock
        self._emit(knock)

    def knock_done(self, message: dict[str, Any]) -> None:
        knock_id = str(message["id"])
        outcome = message.get("outcome")
        if outcome not in KNOCK_OUTCOMES:
            raise ValueError(f"unknown knock outcome {outcome!r}")
        gone = self.knocks.pop(knock_id, None)
        name = gone.name if gone is not None else ""
        self._emit(KnockDone(id=knock_id, outcome=outcome, name=name))

    def settings_changed(self, message: dict[str, Any]) -> None:
        self.settings = RoomSettings.from_wire(message["settings"])
        self._emit(SettingsChanged(settings=self.settings))

    def invite(self, message: dict[str, Any]) -> None:
        token = message["token"]
        if not isinstance(token, str):
            raise TypeError("invite: token is not a string")
        self.reply(token)

    def revoked(self, message: dict[str, Any]) -> None:
        self._emit(InviteRevoked(id=str(message["id"])))

    # --- invite requests ---------------------------------------------------------------

    def ask_invite(self) -> asyncio.Future[str]:
        """A place in line for the next invite token (or refusal) that comes."""
        reply: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._invite_replies.append(reply)
        return reply

    def reply(self, reply: str | FranklyError) -> bool:
        """Answer the oldest `invite` request; False if none waits."""
        if not self._invite_replies:
            return False
        waiting = self._invite_replies.popleft()
        if not waiting.done():
            if isinstance(reply, FranklyError):
                waiting.set_exception(reply)
            else:
                waiting.set_result(reply)
        return True

    def fail_all(self, error: FranklyError) -> None:
        """The client ended: every request still waiting fails with ``error``."""
        while self._invite_replies:
            waiting = self._invite_replies.popleft()
            if not waiting.done():
                waiting.set_exception(error)
