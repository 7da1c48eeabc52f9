"""Rooms and participants: the control plane's state. No I/O here."""

from frankly.rooms.room import DialogueMeeting, Participant, Room, RoomFull, Rooms

__all__ = ["DialogueMeeting", "Participant", "Room", "RoomFull", "Rooms"]
