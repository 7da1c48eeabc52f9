"""Rooms and participants: the control plane's state. No I/O here."""

from frankly.rooms.room import DialogueMeeting, KeptLine, Participant, Room, RoomFull, Rooms

__all__ = ["DialogueMeeting", "KeptLine", "Participant", "Room", "RoomFull", "Rooms"]
