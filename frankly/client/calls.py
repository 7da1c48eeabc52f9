"""The media connections of one client: a `PeerLink` with each other participant
peer to peer, or one `SfuLink` once the room is on the server's SFU.

On the move to the SFU the peer connections that carry media are kept until
the SFU's are up, then closed (their tracks end, and the same people's media
comes on the SFU's tracks); those just begun, with the newcomer who moved the
room, are dropped at once. Who is in the room is the client's: it tells
`Calls` who joined and who left.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Mapping
from typing import Any

from aiortc import RTCIceServer
from aiortc.mediastreams import MediaStreamTrack

from frankly.client.e2ee.keys import E2ee
from frankly.client.media import LocalMedia
from frankly.client.peer import PeerLink
from frankly.client.rtc import OnTrack, Send
from frankly.client.sfu import SfuLink
from frankly.client.vocabulary import channel_stream, screen_stream

log = logging.getLogger("frankly.client")

OnLinkState = Callable[[str, str], None]
Background = Callable[[Coroutine[Any, Any, None]], None]


class Calls:
    """Peer-to-peer links by participant, or the SFU link; ``mode`` says which the room wants."""

    def __init__(
        self,
        *,
        media: Mapping[str, LocalMedia],
        crypto: E2ee,
        send: Send,
        on_track: OnTrack,
        on_link_state: OnLinkState,
        background: Background,
    ) -> None:
        self._media = media
        self._crypto = crypto
        self._send = send
        self._on_track = on_track
        self._on_link_state = on_link_state
        self._background = background
        self.mode = "p2p"
        self.self_id = ""
        self.ice_servers: list[RTCIceServer] = []
        # Hide our address: connections made from now on gather relay candidates only.
        self.relay_only = False
        self.links: dict[str, PeerLink] = {}
        self.sfu: SfuLink | None = None
        self._closed = False

    # --- what the client tells ---------------------------------------------------------

    def joined(self, pid: str) -> None:
        if self.mode == "p2p":  # in an SFU room nobody makes peer-to-peer connections
            self._link(pid)

    def left(self, pid: str) -> None:
        """``pid`` left: the link with them closes, their streams (camera and screen) end."""
        link = self.links.pop(pid, None)
        if link is not None:
            self._background(link.close())
        if self.sfu is not None:
            self.sfu.forget(pid)
            self.sfu.forget(screen_stream(pid))
            self.sfu.forget(channel_stream(pid))

    def signal(self, sender: str, message: dict[str, Any]) -> None:
        if sender in self.links or self.mode == "p2p":
            self._link(sender).signal(message)

    def sfu_message(self, message: dict[str, Any]) -> None:
        if self.sfu is not None:
            self.sfu.message(message)

    def move(self, mode: str) -> bool:
        """The room's media moves (to the SFU); False if it was there already."""
        if mode == self.mode:
            return False
        self.mode = mode
        self._drop_unconnected_links()
        self.start_sfu_if_needed()
        return True

    def start_sfu_if_needed(self) -> None:
        if self.mode != "sfu" or self.sfu is not None or self._closed:
            return
        log.info("the room is on the SFU: publishing and subscribing")
        self.sfu = SfuLink(
            ice_servers=self.ice_servers,
            relay_only=self.relay_only,
            media=self._media,
            crypto=self._crypto,
            send=self._send,
            on_track=self._on_track,
            on_state=self._sfu_state_changed,
        )

    def restart_sfu(self) -> None:
        """``sfu-reset``: the SFU worker that held our connections is gone (docs/scaling.md).
        Both connections close and new ones are made, as when the room first moved there;
        the server offers everyone again on the new ones."""
        if self.sfu is not None:
            self._background(self.sfu.close())
            self.sfu = None
        self.start_sfu_if_needed()

    def publish_channel(self, local: LocalMedia) -> MediaStreamTrack:
        """Start sending an interpreter's channel on the SFU; the tap whose id names it.

        The room is on the SFU by then: the server moves it there before it
        tells anyone of an interpreter.
        """
        if self.sfu is None:
            raise RuntimeError("the room is not on the SFU")
        tap = local.tap()
        self.sfu.publish_channel(tap)
        return tap

    def resumed(self) -> None:
        """Our socket came back: what may have been lost on the way goes again."""
        for link in self.links.values():
            link.resend_pending_offer()
        if self.sfu is not None:
            self.sfu.resend_pending_offer()
        elif self.mode == "sfu":  # the room moved while we were away
            self._drop_unconnected_links()
            self.start_sfu_if_needed()

    def reset(self) -> None:
        """We are someone new: every connection belonged to the participant we were."""
        for link in self.links.values():
            self._background(link.close())
        self.links.clear()
        if self.sfu is not None:
            self._background(self.sfu.close())
            self.sfu = None

    async def close(self) -> None:
        self._closed = True
        links = list(self.links.values())
        self.links.clear()
        for link in links:
            await link.close()
        if self.sfu is not None:
            sfu, self.sfu = self.sfu, None
            await sfu.close()

    # --- what the client reads -----------------------------------------------------------

    def tracks(self, pid: str) -> list[MediaStreamTrack]:
        """The live tracks received so far from one participant (peer to peer or via the SFU)."""
        link = self.links.get(pid)
        found = list(link.tracks) if link is not None else []
        if self.sfu is not None:
            found += self.sfu.tracks(pid)
            found += self.sfu.tracks(screen_stream(pid))
            found += self.sfu.tracks(channel_stream(pid))
        return found

    def state(self, pid: str, *, present: bool) -> str | None:
        """The state of the connection that carries ``pid`` (``present`` in the room)."""
        link = self.links.get(pid)
        if link is not None:
            return link.state
        if self.sfu is not None and present:
            return self.sfu.state
        return None

    # --- internals -----------------------------------------------------------------------

    def _link(self, pid: str) -> PeerLink:
        link = self.links.get(pid)
        if link is None:
            link = PeerLink(
                pid,
                polite=self.self_id > pid,
                ice_servers=self.ice_servers,
                relay_only=self.relay_only,
                media=self._media,
                crypto=self._crypto,
                send=self._send,
                on_track=self._on_track,
                on_state=self._on_link_state,
            )
            self.links[pid] = link
        return link

    def _drop_unconnected_links(self) -> None:
        # Keep the peer connections that carry media until the SFU's are up;
        # drop the ones just begun (with the newcomer who moved the room).
        for pid, begun in list(self.links.items()):
            if begun.state != "connected":
                del self.links[pid]
                self._background(begun.close())

    def _sfu_state_changed(self, state: str) -> None:
        log.debug("connections with the SFU: %s", state)
        if state == "connected" and self.links:
            # The SFU carries the media now: the peer-to-peer calls can end.
            links = list(self.links.values())
            self.links.clear()
            for link in links:
                self._background(link.close())
