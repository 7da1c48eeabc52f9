"""The room's chat as the SDK holds it: history, each message once, opened if a key we hold can.

Messages are shown in the order the server relayed them. A sealed one may
wait for its sender's first key (a newcomer's may still be on its way); the
wait, and the checks that a message is its sender's and not a replay, live
in the e2ee keys module (`E2ee.open_chat`), as in the browser's keys.js.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import replace
from typing import Any

from frankly.client.e2ee import E2ee
from frankly.client.e2ee.keys import ChatText
from frankly.client.events import ChatMessage

MAX_TEXT = 4000  # characters, after trimming (docs/protocol.md, "Limits")

Background = Callable[[Coroutine[Any, Any, None]], None]


class ChatLog:
    """Chat from the server, in order, each message once; ``show`` hears each as it is ready."""

    def __init__(
        self, e2ee: E2ee, show: Callable[[ChatMessage], None], background: Background
    ) -> None:
        self._e2ee = e2ee
        self._show = show
        self._background = background
        self.history: list[ChatMessage] = []
        self._last_id = 0
        # Settled once the last message that arrived is shown (or refused).
        self._shown: asyncio.Future[None] | None = None

    def start(self, said: Sequence[dict[str, Any]]) -> None:
        """What was said before we came (the first welcome): not for us, unless by passphrase."""
        opened = [self._opened_now(ChatMessage.from_wire(c), c.get("sealed")) for c in said]
        self.history = [m for m in opened if m is not None]
        self._last_id = max((c.id for c in self.history), default=0)

    def arrived(self, obj: dict[str, Any]) -> None:
        """A ``chat`` message from the server (live, or said while we were away)."""
        message = ChatMessage.from_wire(obj)
        if message.id and message.id <= self._last_id:
            return
        self._last_id = max(self._last_id, message.id)
        before = self._shown
        shown = self._shown = asyncio.get_running_loop().create_future()
        opening = self._opening(message, obj.get("sealed"))  # with the keys of this moment
        self._background(self._show_in_turn(opening, before, shown))

    async def _show_in_turn(
        self,
        opening: Awaitable[ChatMessage | None],
        before: asyncio.Future[None] | None,
        shown: asyncio.Future[None],
    ) -> None:
        try:
            opened = await opening
            if before is not None:
                await before
            if opened is not None:
                self.history.append(opened)
                self._show(opened)
        finally:
            shown.set_result(None)

    def _opening(self, message: ChatMessage, sealed: Any) -> Awaitable[ChatMessage | None]:
        """The message with its text, once it opens (or is refused)."""
        if not isinstance(sealed, str):
            return _settled(message)
        text = self._e2ee.open_chat(message.sender_id, message.id, sealed)

        async def with_text() -> ChatMessage | None:
            return _with_text(message, await text)

        return with_text()

    def _opened_now(self, message: ChatMessage, sealed: Any) -> ChatMessage | None:
        """The message with its text, if a key we hold now opens it."""
        if not isinstance(sealed, str):
            return message
        return _with_text(message, self._e2ee.open_chat_now(message.sender_id, message.id, sealed))


async def _settled(message: ChatMessage) -> ChatMessage:
    return message


def _with_text(message: ChatMessage, text: ChatText) -> ChatMessage | None:
    """A sealed message as shown: opened, unreadable (None), or not at all (refused)."""
    if text is False:
        return None  # sealed by someone other than its sender, or a replay
    if text is None:
        return message
    return replace(message, text=text, encryption="encrypted")
