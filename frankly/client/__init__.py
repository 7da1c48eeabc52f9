"""Frankly's Python SDK: join a meeting as a participant, on aiortc.

    import frankly.client as fc

    async with fc.Client("http://127.0.0.1:8080/team-sync", name="bot",
                         video=fc.PatternTrack()) as call:
        async for event in call.events():
            match event:
                case fc.TrackReceived(track=track):
                    ...
                case fc.ChatMessage(name=name, text=text):
                    print(f"{name}: {text}")

See docs/sdk.md.
"""

from frankly.client.client import Client, EventStream, join, split_url
from frankly.client.errors import FranklyError
from frankly.client.events import (
    ChatMessage,
    Closed,
    ConnectionStateChanged,
    Event,
    ModeChanged,
    Participant,
    ParticipantJoined,
    ParticipantLeft,
    ParticipantUpdated,
    Reconnected,
    Reconnecting,
    ServerError,
    TrackReceived,
)
from frankly.client.media import PatternTrack, ToneTrack

__all__ = [
    "ChatMessage",
    "Client",
    "Closed",
    "ConnectionStateChanged",
    "Event",
    "EventStream",
    "FranklyError",
    "ModeChanged",
    "Participant",
    "ParticipantJoined",
    "ParticipantLeft",
    "ParticipantUpdated",
    "PatternTrack",
    "Reconnected",
    "Reconnecting",
    "ServerError",
    "ToneTrack",
    "TrackReceived",
    "join",
    "split_url",
]
