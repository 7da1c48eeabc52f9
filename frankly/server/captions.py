"""Handlers of live captions' messages: a host's `captions`, the captioner's `caption`
and `transcript-line`.

The captioner process and its supervision are frankly/captioner/; here only
who may send what. A caption line is relayed to the room as it was sealed
and not kept: there is no caption history in the room. In a room that holds
a dialogue's meeting, while a host keeps the transcript, the captioner also
hands in each final line in plaintext (`transcript-line`), and the server
stores it with the meeting (hub.transcripts); nowhere else is one stored.
"""

from __future__ import annotations

import time

from frankly.protocol import messages
from frankly.protocol.errors import Code, ProtocolError
from frankly.protocol.words import Msg
from frankly.rooms.room import CAPTIONER, KeptLine
from frankly.server.hosts import host_of
from frankly.server.hub import Hub
from frankly.server.link import Link


def captions(hub: Hub, link: Link, msg: messages.Captions) -> None:
    room, _ = host_of(hub, link, Msg.CAPTIONS)
    if not msg.on:
        hub.captions_off(room)
        return
    missing = hub.captions_missing()
    if missing is not None:
        raise ProtocolError(Code.CAPTIONS_UNAVAILABLE, missing, Msg.CAPTIONS)
    hub.captions_on(room, msg.transcript)


def caption(hub: Hub, link: Link, msg: messages.Caption) -> None:
    room, me = hub.joined(link, Msg.CAPTION)
    if me.role != CAPTIONER:
        what = "caption: only the server's captioner sends caption lines"
        raise ProtocolError(Code.NOT_ALLOWED, what, Msg.CAPTION)
    hub.broadcast(room, messages.caption(me.id, msg.sealed, time.time()))


async def transcript_line(hub: Hub, link: Link, msg: messages.TranscriptLine) -> None:
    """A final line for the meeting's transcript, from the room's own captioner only,
    with the speaker's name and side as the room knows them."""
    room, me = hub.joined(link, Msg.TRANSCRIPT_LINE)
    if me.role != CAPTIONER:  # the role the server gave, from its own invite
        what = "transcript-line: only the server's captioner hands in transcript lines"
        raise ProtocolError(Code.NOT_ALLOWED, what, Msg.TRANSCRIPT_LINE)
    captions = hub.captions.storing(room.name, me.id)
    if captions is None:
        what = "transcript-line: this room's transcript is not kept with a dialogue meeting now"
        raise ProtocolError(Code.NOT_ALLOWED, what, Msg.TRANSCRIPT_LINE)
    speaker = room.participants.get(msg.speaker)
    if speaker is None or speaker.role == CAPTIONER:
        what = f"transcript-line: no participant {msg.speaker!r} to attribute it to"
        raise ProtocolError(Code.UNKNOWN_PEER, what, Msg.TRANSCRIPT_LINE)
    # Times on the wire count from when the captioner came in; stored, they are instants.
    start = captions.joined_at + msg.start
    line = KeptLine(
        room=room.name,
        captioner=me.id,
        speaker=speaker.id,
        segment=msg.line,
        name=speaker.name,
        side=speaker.side,
        language=msg.language,
        start=start,
        end=max(captions.joined_at + msg.end, start),
        text=msg.text,
        english=msg.english,
    )
    refused = await hub.transcripts(line)
    if refused is not None:
        hub.captions.filled(room.name, refused)
