"""One RTCPeerConnection with one remote participant, and its negotiation.

The rules are those of docs/protocol.md, "Negotiation", for a client that
cannot roll back: the side whose id sorts higher is *polite*. While polite the
SDK never offers; it answers every offer. While impolite it offers (one audio
and one video m-line, send-receive when it has that track, else receive-only,
so that a polite peer can always answer with its own media) and ignores an
offer that collides with its own.

aiortc gathers every candidate before `setLocalDescription` returns, so the
descriptions the SDK sends carry their candidates and it sends no `candidate`
signals. Candidates from the other side (browsers trickle them) are added as
they come, or kept until there is a remote description to add them to.

All negotiation for one peer runs in order on one task (`rtc.Negotiation`), so
an answer never races the offer it answers.

Every frame is end-to-end encrypted: `protect` hooks the connection's senders
before anything is negotiated, and its receivers after every remote
description (frankly.client.e2ee.media).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from aiortc import (
    RTCIceCandidate,
    RTCIceServer,
    RTCPeerConnection,
    RTCSessionDescription,
)
from aiortc.mediastreams import MediaStreamTrack
from aiortc.sdp import candidate_from_sdp

from frankly.client.e2ee.media import FrameCrypto, protect
from frankly.client.media import LocalMedia
from frankly.client.rtc import Negotiation, OnTrack, Send, close_connection, configuration
from frankly.client.vocabulary import Msg

log = logging.getLogger("frankly.client")

OnState = Callable[[str, str], None]


def parse_candidate(obj: dict[str, Any]) -> RTCIceCandidate | None:
    """An RTCIceCandidateInit from the wire, or None for an end-of-candidates marker."""
    text = obj.get("candidate")
    if not isinstance(text, str) or not text.strip():
        return None
    text = text.strip()
    if text.startswith("candidate:"):
        text = text[len("candidate:") :]
    candidate = candidate_from_sdp(text)
    mid = obj.get("sdpMid")
    index = obj.get("sdpMLineIndex")
    candidate.sdpMid = mid if isinstance(mid, str) else None
    candidate.sdpMLineIndex = index if isinstance(index, int) else None
    if candidate.sdpMid is None and candidate.sdpMLineIndex is None:
        candidate.sdpMLineIndex = 0
    return candidate


class PeerLink:
    """The media connection with one remote participant."""

    def __init__(
        self,
        peer_id: str,
        *,
        polite: bool,
        ice_servers: list[RTCIceServer],
        relay_only: bool = False,
        media: Mapping[str, LocalMedia],
        crypto: FrameCrypto,
        send: Send,
        on_track: OnTrack,
        on_state: OnState,
    ) -> None:
        self.peer_id = peer_id
        self._crypto = crypto
        self.polite = polite
        self.tracks: list[MediaStreamTrack] = []
        self._send = send
        self._on_track = on_track
        self._on_state = on_state
        self._ignore_offer = False
        self._early_candidates: list[RTCIceCandidate] = []
        self._taps: list[MediaStreamTrack] = []
        self._closed = False
        self.pc = RTCPeerConnection(configuration(ice_servers, relay_only))
        self.pc.on("track", self._track)
        self.pc.on("connectionstatechange", self._state)
        for kind in ("audio", "video"):
            local = media.get(kind)
            tap = local.tap() if local is not None else None
            if tap is not None:
                self._taps.append(tap)
            if polite:
                # addTrack makes a transceiver with no mid yet, which aiortc pairs
                # with the first m-line of the same kind in the peer's offer.
                if tap is not None:
                    self.pc.addTrack(tap)
            else:
                self.pc.addTransceiver(
                    tap if tap is not None else kind,
                    direction="sendrecv" if tap is not None else "recvonly",
                )
        # Before any negotiation: no frame may ever leave unencrypted.
        protect(self.pc, crypto, peer_id)
        self._negotiation = Negotiation(
            f"with {peer_id}",
            {
                "offer": self._offer,
                "description": self._description,
                "candidate": self._candidate,
                "resend": self._resend,
            },
        )
        if not polite:
            self._negotiation.put("offer")

    @property
    def state(self) -> str:
        return str(self.pc.connectionState)

    # --- what the client feeds in ------------------------------------------

    def signal(self, message: dict[str, Any]) -> None:
        """A `signal` message from this peer."""
        if "description" in message and isinstance(message["description"], dict):
            self._negotiation.put("description", message["description"])
        elif "candidate" in message:
            candidate = message["candidate"]
            self._negotiation.put("candidate", candidate if isinstance(candidate, dict) else None)

    def resend_pending_offer(self, delay: float = 3.0) -> None:
        """After our socket came back: resend our offer if still unanswered after ``delay``."""
        self._negotiation.resend_later(delay)

    async def close(self) -> None:
        """Close the connection, after the negotiation step under way; its remote tracks end."""
        if self._closed:
            return
        self._closed = True
        await self._negotiation.stop()
        for tap in self._taps:
            tap.stop()
        await close_connection(self.pc)

    # --- negotiation steps, run in order by `Negotiation` ---------------------

    async def _offer(self, _: None) -> None:
        if self.polite or self.pc.signalingState != "stable":
            return
        offer = await self.pc.createOffer()
        await self.pc.setLocalDescription(offer)
        self._send_description()

    async def _resend(self, _: None) -> None:
        if self.pc.signalingState == "have-local-offer":
            self._send_description()

    async def _description(self, desc: dict[str, Any]) -> None:
        kind = desc.get("type")
        sdp = desc.get("sdp")
        if not isinstance(sdp, str):
            return
        if kind == "offer":
            if self.pc.signalingState != "stable":
                # A collision. Impolite: ignore theirs, they roll back and answer ours.
                # Polite: cannot happen, since a polite SDK never offers.
                log.debug("ignoring an offer from %s that collides with ours", self.peer_id)
                self._ignore_offer = True
                return
            self._ignore_offer = False
            await self.pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="offer"))
            protect(self.pc, self._crypto)  # the offer may have made transceivers
            await self._add_early_candidates()
            answer = await self.pc.createAnswer()
            await self.pc.setLocalDescription(answer)
            self._send_description()
        elif kind == "answer":
            if self.pc.signalingState != "have-local-offer":
                log.debug(
                    "ignoring an answer from %s in state %s", self.peer_id, self.pc.signalingState
                )
                return
            await self.pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="answer"))
            protect(self.pc, self._crypto)
            await self._add_early_candidates()
        # "rollback" concerns only the side that sends it.

    async def _candidate(self, obj: dict[str, Any] | None) -> None:
        if obj is None or self._ignore_offer:
            return
        candidate = parse_candidate(obj)
        if candidate is None:
            # End of candidates: aiortc would then declare failure as soon as the
            # checks run out; browsers may still send candidates for a later generation.
            return
        if self.pc.remoteDescription is None:
            self._early_candidates.append(candidate)
        else:
            await self.pc.addIceCandidate(candidate)

    async def _add_early_candidates(self) -> None:
        early, self._early_candidates = self._early_candidates, []
        for candidate in early:
            await self.pc.addIceCandidate(candidate)

    def _send_description(self) -> None:
        local = self.pc.localDescription
        if local is None or self._closed:
            return
        self._send(
            {
                "type": Msg.SIGNAL,
                "to": self.peer_id,
                "description": {"type": local.type, "sdp": local.sdp},
            }
        )

    # --- aiortc callbacks ---------------------------------------------------

    def _track(self, track: MediaStreamTrack) -> None:
        if self._closed:
            return
        self.tracks.append(track)
        self._on_track(self.peer_id, track)

    def _state(self) -> None:
        if not self._closed:
            self._on_state(self.peer_id, self.state)
