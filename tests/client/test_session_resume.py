"""Session: losing the signaling socket, the SDK resumes with the same id; media goes on."""

from __future__ import annotations

from typing import Any

import frankly.client as fc
from tests.client.helpers import Clients, frame_where, luma_mean, track_from


def bars(frame: Any) -> bool:
    return luma_mean(frame) > 60


async def test_a_dropped_socket_resumes_with_the_same_id_while_media_continues(
    clients: Clients, live_server: Any
) -> None:
    ada = await clients.av("Ada")
    grace = await clients.av("Grace")
    ada_id = ada.id
    ada_sees = await track_from(ada, grace.id, "video")
    grace_sees = await track_from(grace, ada_id, "video")
    before_ada = await frame_where(ada_sees, bars)
    before_grace = await frame_where(grace_sees, bars)
    ada_tracks = ada.tracks(grace.id)

    ada_events = ada.events()
    grace_events = grace.events()
    live_server.drop(ada_id)

    reconnected = await ada.wait_for(fc.Reconnected, timeout=15)
    assert reconnected.resumed is True
    assert ada.id == ada_id == reconnected.me.id
    assert ada.connected

    # Media never stopped: the same peer connection and tracks carry on.
    after_ada = await frame_where(ada_sees, bars)
    after_grace = await frame_where(grace_sees, bars)
    assert after_ada.pts > before_ada.pts and after_grace.pts > before_grace.pts
    assert ada.tracks(grace.id) == ada_tracks
    assert ada.connection_state(grace.id) == "connected"
    assert grace.connection_state(ada_id) == "connected"

    # Signaling works again, both ways.
    for_grace = grace.wait_for(fc.ChatMessage, lambda m: m.text == "back", timeout=10)
    await ada.send_chat("back")
    assert (await for_grace).sender_id == ada_id

    ada_events.close()
    grace_events.close()
    ada_seen = ada_events.pending()
    grace_seen = grace_events.pending()
    # Ada: told why, then back; no one left, no new tracks, no media state change.
    assert isinstance(ada_seen[0], fc.Reconnecting)
    assert ada_seen[0].close_code == 1012 and ada_seen[0].delay == 0.5
    assert not [e for e in ada_seen if isinstance(e, fc.ParticipantLeft | fc.TrackReceived)]
    assert not [e for e in ada_seen if isinstance(e, fc.ConnectionStateChanged)]
    # Grace: Ada went away and came back, and never left.
    connected = [
        e.participant.connected for e in grace_seen if isinstance(e, fc.ParticipantUpdated)
    ]
    assert connected == [False, True]
    assert not [e for e in grace_seen if isinstance(e, fc.ParticipantLeft)]
