"""The two RTCPeerConnections with the server's SFU, in a room of three or more.

docs/protocol.md, "Group meetings: the SFU": on *publish* the SDK offers its
tracks (send-only m-lines) and the server answers; on *subscribe* the server
offers everyone else's tracks and the SDK answers. Each sending m-line of a
subscribe offer names its publisher in ``a=msid:PARTICIPANT TRACK``.

The SFU reuses a freed m-line (``a=inactive``) for the next track of its kind,
and aiortc then keeps the same receiver track: no new ``track`` event fires.
So the SDK never hands out aiortc's receiver track itself. For every
(m-line, publisher) pair it makes a `RemoteTrack` that reads the receiver
track; when the publisher's track goes (the m-line turns inactive, or is taken
over by someone else) that `RemoteTrack` ends, and the new publisher gets a new
one, exactly as a peer-to-peer track ends when its participant leaves. Frames
of the previous publisher still queued unread are dropped then, and the new
publisher's SSRC is pointed at the receiver (see `SfuLink._route_reused`).

All negotiation runs in order on one task (`rtc.Negotiation`), so an answer
never races its offer.

Both connections use the max-bundle policy: with aiortc's default (balanced)
one, an offer that brings two new video m-lines at once leaves the second on a
transport that BUNDLE then discards, and that track never plays.

Every frame is end-to-end encrypted, so the SFU forwards only ciphertext:
`protect` hooks the publish senders before the first offer, and the subscribe
receivers after every offer (frankly.client.e2ee.media).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aiortc import (
    RTCBundlePolicy,
    RTCIceServer,
    RTCPeerConnection,
    RTCSessionDescription,
)
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av.frame import Frame
from av.packet import Packet

from frankly.client.e2ee.media import FrameCrypto, protect
from frankly.client.media import LocalMedia
from frankly.client.rtc import Negotiation, OnTrack, Send, close_connection, configuration
from frankly.client.vocabulary import Msg

log = logging.getLogger("frankly.client")

OnState = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Slot:
    """One m-line of a subscribe offer."""

    mid: str
    kind: str
    owner: str | None
    """The publishing participant's id; None while the slot is free (inactive)."""
    track_id: str
    ssrc: int = 0


def parse_slots(sdp: str) -> dict[str, Slot]:
    """The m-lines of an SFU subscribe offer, by mid."""
    slots: dict[str, Slot] = {}
    kind = ""
    mid: str | None = None
    owner: str | None = None
    track_id = ""
    ssrc = 0
    active = True

    def flush() -> None:
        if mid is not None:
            slots[mid] = Slot(mid, kind, owner if active else None, track_id, ssrc if active else 0)

    for raw in sdp.splitlines():
        line = raw.strip()
        if line.startswith("m="):
            flush()
            kind = line[2:].split(" ", 1)[0]
            mid, owner, track_id, ssrc = None, None, "", 0
            active = line.split(" ")[1:2] != ["0"]
        elif line.startswith("a=mid:"):
            mid = line[len("a=mid:") :]
        elif line.startswith("a=msid:"):
            parts = line[len("a=msid:") :].split()
            owner = parts[0] if parts else None
            track_id = parts[1] if len(parts) > 1 else ""
        elif line.startswith("a=ssrc:") and not ssrc:
            number = line[len("a=ssrc:") :].split(" ", 1)[0]
            ssrc = int(number) if number.isdigit() else 0
        elif line in ("a=inactive", "a=recvonly"):
            active = False
    flush()
    return slots


def _drop_queued_frames(source: MediaStreamTrack) -> None:
    """Empty the frame queue of an aiortc receiver track (keeping its end marker)."""
    queue = getattr(source, "_queue", None)
    if not isinstance(queue, asyncio.Queue):
        return
    ended = False
    while not queue.empty():
        if queue.get_nowait() is None:
            ended = True
    if ended:
        queue.put_nowait(None)


class RemoteTrack(MediaStreamTrack):
    """One participant's track as received through the SFU.

    It reads the aiortc receiver track of its m-line, and ends (``recv`` raises
    `MediaStreamError`) when the participant's track leaves that m-line.
    """

    def __init__(self, source: MediaStreamTrack, participant_id: str) -> None:
        super().__init__()
        self.kind = source.kind
        self.participant_id = participant_id
        self._source = source
        self._pending: asyncio.Future[Frame | Packet[Any]] | None = None

    async def recv(self) -> Frame | Packet[Any]:
        if self.readyState != "live":
            raise MediaStreamError
        pending = asyncio.ensure_future(self._source.recv())
        self._pending = pending
        try:
            frame = await pending
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if self.readyState != "live" and (task is None or not task.cancelling()):
                raise MediaStreamError from None
            raise
        except MediaStreamError:
            self.stop()
            raise
        finally:
            self._pending = None
        if self.readyState != "live":
            raise MediaStreamError
        return frame

    def stop(self) -> None:
        super().stop()
        pending = self._pending
        if pending is not None and not pending.done():
            pending.cancel()


class SfuLink:
    """The publish and subscribe connections with the SFU."""

    def __init__(
        self,
        *,
        ice_servers: list[RTCIceServer],
        relay_only: bool = False,
        media: Mapping[str, LocalMedia],
        crypto: FrameCrypto,
        send: Send,
        on_track: OnTrack,
        on_state: OnState,
    ) -> None:
        self._crypto = crypto
        self._send = send
        self._on_track = on_track
        self._on_state = on_state
        self._closed = False
        self._taps: list[MediaStreamTrack] = []
        # One transport for all m-lines: aiortc's default (balanced) policy gives
        # the second new video m-line of one offer a transport that BUNDLE then drops.
        config = configuration(ice_servers, relay_only, bundlePolicy=RTCBundlePolicy.MAX_BUNDLE)
        self._config = config
        self.publish_pc: RTCPeerConnection | None = None
        for kind in ("audio", "video"):
            local = media.get(kind)
            if local is None:
                continue
            if self.publish_pc is None:
                self.publish_pc = RTCPeerConnection(config)
                self.publish_pc.on("connectionstatechange", self._state)
            tap = local.tap()
            self._taps.append(tap)
            self.publish_pc.addTransceiver(tap, direction="sendonly")
        if self.publish_pc is not None:
            # Before any negotiation: no frame may ever leave unencrypted.
            protect(self.publish_pc, crypto)
        self.subscribe_pc = RTCPeerConnection(config)
        self.subscribe_pc.on("connectionstatechange", self._state)
        self._slots: dict[str, RemoteTrack] = {}  # mid -> the track it carries now
        self._ssrcs: dict[str, int] = {}  # mid -> the SSRC it last carried
        self._keyframe_requests: set[asyncio.Future[None]] = set()
        self._subscribe_up = asyncio.Event()
        self._used: set[str] = set()  # mids that have carried a track
        self._gone: set[str] = set()  # participants who left (an older offer may still list them)
        self._negotiation = Negotiation(
            "with the SFU",
            {
                "offer": self._publish,
                "resend": self._resend,
                "publish": self._publish_answer,
                "subscribe": self._subscribe_offer,
            },
        )
        if self.publish_pc is not None:
            self._negotiation.put("offer")

    # --- state ----------------------------------------------------------------

    @property
    def state(self) -> str:
        """The worse of the two connections' states (``connected`` when both are)."""
        states = [str(self.subscribe_pc.connectionState)]
        if self.publish_pc is not None:
            states.append(str(self.publish_pc.connectionState))
        for state in ("closed", "failed", "new", "connecting"):
            if state in states:
                return state
        return "connected"

    def tracks(self, participant_id: str) -> list[MediaStreamTrack]:
        """The live tracks received from one participant."""
        return [t for t in self._slots.values() if t.participant_id == participant_id]

    # --- what the client feeds in -----------------------------------------------

    def message(self, message: dict[str, Any]) -> None:
        """An ``sfu`` message from the server."""
        pc = message.get("pc")
        desc = message.get("description")
        if pc in ("publish", "subscribe") and isinstance(desc, dict):
            self._negotiation.put(str(pc), desc)

    def publish_channel(self, tap: MediaStreamTrack) -> None:
        """Publish an interpreter's channel track too (its id announced first, over signaling)."""
        if self._closed:
            return
        if self.publish_pc is None:
            self.publish_pc = RTCPeerConnection(self._config)
            self.publish_pc.on("connectionstatechange", self._state)
        self._taps.append(tap)
        self.publish_pc.addTransceiver(tap, direction="sendonly")
        protect(self.publish_pc, self._crypto)  # before the offer: never a frame in the clear
        self._negotiation.put("offer")

    def forget(self, participant_id: str) -> None:
        """The participant left: end its tracks now (the server's offer follows)."""
        self._gone.add(participant_id)
        for mid, track in list(self._slots.items()):
            if track.participant_id == participant_id:
                del self._slots[mid]
                track.stop()

    def resend_pending_offer(self, delay: float = 3.0) -> None:
        """After our socket came back: resend a publish offer still unanswered after ``delay``."""
        self._negotiation.resend_later(delay)

    async def close(self) -> None:
        """Close both connections, after the negotiation step under way; the received tracks end."""
        if self._closed:
            return
        self._closed = True
        await self._negotiation.stop()
        for request in list(self._keyframe_requests):
            request.cancel()
        for track in self._slots.values():
            track.stop()
        self._slots.clear()
        for tap in self._taps:
            tap.stop()
        for pc in (self.publish_pc, self.subscribe_pc):
            if pc is not None:
                await close_connection(pc)

    # --- negotiation steps, run in order by `Negotiation` -------------------------

    async def _publish(self, _: None) -> None:
        pc = self.publish_pc
        if pc is None or pc.signalingState != "stable":
            return
        await pc.setLocalDescription(await pc.createOffer())
        self._send_description("publish", pc)

    async def _resend(self, _: None) -> None:
        pc = self.publish_pc
        if pc is not None and pc.signalingState == "have-local-offer":
            self._send_description("publish", pc)

    async def _publish_answer(self, desc: dict[str, Any]) -> None:
        pc = self.publish_pc
        sdp = desc.get("sdp")
        if pc is None or desc.get("type") != "answer" or not isinstance(sdp, str):
            return
        if pc.signalingState != "have-local-offer":
            log.debug("ignoring a publish answer in state %s", pc.signalingState)
            return
        await pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="answer"))
        protect(pc, self._crypto)

    async def _subscribe_offer(self, desc: dict[str, Any]) -> None:
        pc = self.subscribe_pc
        sdp = desc.get("sdp")
        if desc.get("type") != "offer" or not isinstance(sdp, str):
            return
        await pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="offer"))
        protect(pc, self._crypto)  # before its new receivers start
        await pc.setLocalDescription(await pc.createAnswer())
        self._send_description("subscribe", pc)
        slots = parse_slots(sdp)
        self._remap(slots)
        self._route_reused(slots)

    def _remap(self, slots: dict[str, Slot]) -> None:
        """Give each m-line's receiver track to the participant now publishing on it."""
        receivers = {
            t.mid: t.receiver.track
            for t in self.subscribe_pc.getTransceivers()
            if t.mid is not None and t.receiver.track is not None
        }
        for mid, slot in slots.items():
            current = self._slots.get(mid)
            owner = slot.owner if slot.owner not in self._gone else None
            if current is not None and (
                current.participant_id != owner or current.readyState != "live"
            ):
                del self._slots[mid]
                current.stop()
                current = None
            source = receivers.get(mid)
            if current is None and owner is not None and source is not None:
                if mid in self._used:
                    _drop_queued_frames(source)  # the previous publisher's, unread
                self._used.add(mid)
                track = RemoteTrack(source, owner)
                self._slots[mid] = track
                log.debug("sfu m-line %s: %s track of %s", mid, slot.kind, owner)
                self._on_track(owner, track)
        for mid in [m for m in self._slots if m not in slots]:
            self._slots.pop(mid).stop()

    def _route_reused(self, slots: dict[str, Slot]) -> None:
        """Point the new SSRC of a reused m-line at its receiver.

        aiortc routes incoming RTP by SSRC, else by payload type when a single
        receiver has it. It learns a receiver's SSRC when it starts it, once:
        the SSRC of the next publisher on a reused m-line stays unknown, and
        with several receivers of that kind its packets are dropped. So tell
        aiortc's RTP router (and ask the SFU for a keyframe to start from).
        """
        receivers = {t.mid: t.receiver for t in self.subscribe_pc.getTransceivers()}
        for mid, slot in slots.items():
            if not slot.ssrc:
                continue
            before = self._ssrcs.get(mid)
            self._ssrcs[mid] = slot.ssrc
            receiver = receivers.get(mid)
            if before == slot.ssrc or receiver is None:
                continue
            if before is not None:
                router = getattr(receiver.transport, "_rtp_router", None)
                table = getattr(router, "ssrc_table", None)
                if isinstance(table, dict):
                    table[slot.ssrc] = receiver
                else:
                    log.warning("cannot route the SFU's reused m-line %s: aiortc changed", mid)
            if slot.kind == "video":
                request = asyncio.ensure_future(self._ask_keyframe(receiver, slot.ssrc))
                self._keyframe_requests.add(request)
                request.add_done_callback(self._keyframe_requests.discard)

    async def _ask_keyframe(self, receiver: Any, ssrc: int) -> None:
        """Ask the SFU for a keyframe on a new video m-line, once the connection is up.

        aiortc starts a receiver only once DTLS is up, and drops what comes
        before: the keyframe the SFU began with may be lost, and aiortc asks for
        another only on packet loss. Asked twice, for a keyframe sent before the
        receiver was started.
        """
        pli = getattr(receiver, "_send_rtcp_pli", None)
        if pli is None:
            return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(10):
                await self._subscribe_up.wait()
        for delay in (0.2, 1.0):
            await asyncio.sleep(delay)
            if self._closed or self.subscribe_pc.connectionState != "connected":
                return
            with contextlib.suppress(Exception):
                await pli(ssrc)

    def _send_description(self, which: str, pc: RTCPeerConnection) -> None:
        local = pc.localDescription
        if local is None or self._closed:
            return
        self._send(
            {"type": Msg.SFU, "pc": which, "description": {"type": local.type, "sdp": local.sdp}}
        )

    def _state(self) -> None:
        if self._closed:
            return
        if self.subscribe_pc.connectionState == "connected":
            self._subscribe_up.set()
        self._on_state(self.state)
