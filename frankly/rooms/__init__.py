"""Rooms and participants: the control plane's state. No I/O here."""

from frankly.rooms.room import Participant, Room, RoomFull, Rooms

__all__ = ["Participant", "Room", "RoomFull", "Rooms"]
