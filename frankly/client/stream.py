"""The events of one client: an `EventStream` per listener, and the `Broadcast` that feeds them."""

from __future__ import annotations

import asyncio

from frankly.client.events import Event


class EventStream:
    """The events of one `Client`, from the moment `Client.events` was called.

    Iterate it with ``async for``; it ends after the `Closed` event. Use it as a
    context manager (``with call.events() as events:``), or call `close`, to stop
    receiving when you are done before the client is: until then, every event is
    kept for it.
    """

    def __init__(self, broadcast: Broadcast) -> None:
        self._broadcast = broadcast
        self._queue: asyncio.Queue[Event | None] = asyncio.Queue()

    def _put(self, event: Event | None) -> None:
        self._queue.put_nowait(event)

    def __aiter__(self) -> EventStream:
        return self

    async def __anext__(self) -> Event:
        event = await self._queue.get()
        if event is None:
            self._queue.put_nowait(None)  # stays ended
            self.close()
            raise StopAsyncIteration
        return event

    def pending(self) -> list[Event]:
        """The events already queued, taken without waiting for more."""
        out: list[Event] = []
        while not self._queue.empty():
            event = self._queue.get_nowait()
            if event is None:
                self._queue.put_nowait(None)
                break
            out.append(event)
        return out

    def close(self) -> None:
        """Stop receiving events (those already queued can still be read with `pending`)."""
        self._broadcast._streams.discard(self)

    def __enter__(self) -> EventStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Broadcast:
    """Every open `EventStream` of one client; each event goes to all of them."""

    def __init__(self) -> None:
        self._streams: set[EventStream] = set()
        self._ended = False

    def open(self) -> EventStream:
        """A new stream of every event from now on (ended at once after `end`)."""
        stream = EventStream(self)
        if self._ended:
            stream._put(None)
        else:
            self._streams.add(stream)
        return stream

    def emit(self, event: Event) -> None:
        for stream in list(self._streams):
            stream._put(event)

    def end(self) -> None:
        """No more events: every stream ends after what it holds."""
        self._ended = True
        for stream in list(self._streams):
            stream._put(None)
        self._streams.clear()
