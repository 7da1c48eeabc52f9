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

Media and chat are end-to-end encrypted (docs/security.md); see docs/sdk.md.
`fc.Dialogues` is the dialogues' REST API (frankly/client/dialogues.py).
"""

from frankly.client.client import Client, join
from frankly.client.dialogues import ApiRefusal, Dialogue, Dialogues, Entry, StaleRevision
from frankly.client.e2ee import FrameStats, PairState, SafetyCode
from frankly.client.errors import FranklyError
from frankly.client.events import (
    MODERATION_ACTIONS,
    REACTIONS,
    Booth,
    BoothChatMessage,
    CaptionLine,
    Captions,
    CaptionsChanged,
    ChatEncryption,
    ChatMessage,
    Closed,
    ConnectionStateChanged,
    EncryptionChanged,
    Event,
    GoingAway,
    Interpretation,
    InterpretationChanged,
    InviteRevoked,
    Knock,
    KnockDone,
    ListeningChanged,
    MeetingEnded,
    ModeChanged,
    Moderated,
    ModerationAction,
    Participant,
    ParticipantJoined,
    ParticipantLeft,
    ParticipantUpdated,
    Reaction,
    Reconnected,
    Reconnecting,
    Role,
    RoomSettings,
    ServerError,
    SettingsChanged,
    TrackReceived,
    Waiting,
)
from frankly.client.media import PatternTrack, ToneTrack
from frankly.client.stream import EventStream
from frankly.client.urls import split_url

__all__ = [
    "MODERATION_ACTIONS",
    "REACTIONS",
    "ApiRefusal",
    "Booth",
    "BoothChatMessage",
    "CaptionLine",
    "Captions",
    "CaptionsChanged",
    "ChatEncryption",
    "ChatMessage",
    "Client",
    "Closed",
    "ConnectionStateChanged",
    "Dialogue",
    "Dialogues",
    "EncryptionChanged",
    "Entry",
    "Event",
    "EventStream",
    "FrameStats",
    "FranklyError",
    "GoingAway",
    "Interpretation",
    "InterpretationChanged",
    "InviteRevoked",
    "Knock",
    "KnockDone",
    "ListeningChanged",
    "MeetingEnded",
    "ModeChanged",
    "Moderated",
    "ModerationAction",
    "PairState",
    "Participant",
    "ParticipantJoined",
    "ParticipantLeft",
    "ParticipantUpdated",
    "PatternTrack",
    "Reaction",
    "Reconnected",
    "Reconnecting",
    "Role",
    "RoomSettings",
    "SafetyCode",
    "ServerError",
    "SettingsChanged",
    "StaleRevision",
    "ToneTrack",
    "TrackReceived",
    "Waiting",
    "join",
    "split_url",
]
