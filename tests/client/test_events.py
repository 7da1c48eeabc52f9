"""Participants and room settings as the server describes them."""

from __future__ import annotations

from frankly.client import Participant, RoomSettings


def test_participant_and_settings_from_the_wire() -> None:
    p = Participant.from_wire(
        {"id": "p-1", "name": "A", "role": "host", "hand": 3, "screen": True, "x": 1}
    )
    assert (p.role, p.hand, p.screen, p.is_host) == ("host", 3, True, True)
    old = Participant.from_wire({"id": "p-2", "role": "admiral", "hand": True})
    assert (old.role, old.hand, old.screen) == ("participant", None, False)
    assert old.side is None
    assert Participant.from_wire({"id": "p-3", "side": "Russia"}).side == "Russia"
    assert Participant.from_wire({"id": "p-4", "side": 7}).side is None
    assert RoomSettings.from_wire({"lobby": True, "password": True}) == RoomSettings(
        lobby=True, password=True
    )
    assert RoomSettings.from_wire(None) == RoomSettings()
