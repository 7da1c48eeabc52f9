"""The room's chat as the SDK holds it: history, each message once, opened if a key we hold can.

A newcomer may speak before its keys reach us, so a sealed message we cannot
open yet is held while its sender's keys are on their way (`E2ee.awaiting_keys`),
then shown opened, or as unreadable after `HOLD_FOR` seconds.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from frankly.client.e2ee.keys import E2ee
from frankly.client.events import ChatMessage

MAX_TEXT = 4000  # characters, after trimming (docs/protocol.md, "Limits")
# How long a sealed chat message waits for its sender's keys (they may still be
# on their way from a newcomer) before it is shown as unreadable.
HOLD_FOR = 10.0


class ChatLog:
    """Chat from the server, in order, each message once; ``show`` hears each as it is ready."""

    def __init__(self, e2ee: E2ee, show: Callable[[ChatMessage], None]) -> None:
        self._e2ee = e2ee
        self._show = show
        self.history: list[ChatMessage] = []
        self._last_id = 0
        # Sealed chat waiting for its sender's keys, by sender.
        self._held: dict[str, list[tuple[ChatMessage, Any]]] = {}
        self._timers: dict[str, asyncio.TimerHandle] = {}

    def start(self, said: Sequence[dict[str, Any]]) -> None:
        """What was said before we came (the first welcome): not for us, unless by passphrase."""
        self.history = [self._opened(ChatMessage.from_wire(c), c.get("sealed")) for c in said]
        self._last_id = max((c.id for c in self.history), default=0)

    def arrived(self, obj: dict[str, Any]) -> None:
        """A ``chat`` message from the server (live, or said while we were away)."""
        message = ChatMessage.from_wire(obj)
        if message.id and message.id <= self._last_id:
            return
        self._last_id = max(self._last_id, message.id)
        sealed = obj.get("sealed")
        opened = self._opened(message, sealed)
        if opened.encryption == "unreadable" and self._e2ee.awaiting_keys(message.sender_id):
            self._hold(message, sealed)
            return
        self._ready(opened)

    def release(self, sender: str) -> None:
        """Show what ``sender`` said while we waited for its keys: opened, or unreadable.

        Their first key settles it: what that key (or a ratchet of it) does not
        open was sealed with a key from before we came.
        """
        timer = self._timers.pop(sender, None)
        if timer is not None:
            timer.cancel()
        for message, sealed in self._held.pop(sender, []):
            self._ready(self._opened(message, sealed))

    def holds(self, sender: str) -> bool:
        return sender in self._held

    def release_all(self) -> None:
        for sender in list(self._held):
            self.release(sender)

    def close(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()

    def _opened(self, message: ChatMessage, sealed: Any) -> ChatMessage:
        """The message with its text, if it was sealed and a key we hold opens it."""
        if not isinstance(sealed, str):
            return message
        text = self._e2ee.open_chat(message.sender_id, sealed)
        if text is None:
            return message  # unreadable
        return replace(message, text=text, encryption="encrypted")

    def _ready(self, message: ChatMessage) -> None:
        self.history.append(message)
        self._show(message)

    def _hold(self, message: ChatMessage, sealed: Any) -> None:
        sender = message.sender_id
        self._held.setdefault(sender, []).append((message, sealed))
        if sender not in self._timers:
            self._timers[sender] = asyncio.get_running_loop().call_later(
                HOLD_FOR, self.release, sender
            )
