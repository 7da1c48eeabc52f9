"""Meeting records: what a restart keeps, and for how long (server/meetings.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from frankly.rooms import Room
from frankly.server.meetings import Meetings, token_hash
from frankly.server.passwords import Hashed


def live_meeting(data_dir: Path) -> tuple[Room, str]:
    meetings = Meetings(data_dir, now=0.0, window=30.0)
    room = Room("r", 10)
    meetings.open(room, resume=None, invite_meeting=None, now=0.0)
    host = room.add("Ada", True, True)
    room.add("Gus", True, True, role="guest")
    room.lobby, room.password = True, Hashed(b"s" * 16, b"d" * 32)
    room.revoked.add("i-1")
    room.ban("dev-x", "203.0.113.9")
    meetings.save(room)
    return room, host.resume


def test_a_record_keeps_the_meeting_but_no_secret_in_the_clear(tmp_path: Path) -> None:
    room, resume = live_meeting(tmp_path)
    path = tmp_path / "meetings" / "r.json"
    record = json.loads(path.read_text())
    assert record["id"] == room.meeting and record["revoked"] == ["i-1"]
    assert record["members"][token_hash(resume)] == "host"
    assert resume not in path.read_text()  # only its hash
    assert path.stat().st_mode & 0o077 == 0


def test_after_a_restart_the_meeting_continues_for_those_who_belong(tmp_path: Path) -> None:
    old, resume = live_meeting(tmp_path)
    meetings = Meetings(tmp_path, now=100.0, window=30.0)
    assert meetings.returning_role("r", resume, 101.0) == "host"
    assert meetings.returning_role("r", "someone-else", 101.0) is None
    room = Room("r", 10)
    meetings.open(room, resume=resume, invite_meeting=None, now=101.0)
    assert (room.meeting, room.continued, room.lobby) == (old.meeting, True, True)
    assert room.password == old.password and room.revoked == {"i-1"}
    assert room.is_banned("dev-x", None) and room.is_banned(None, "203.0.113.9")


def test_a_stranger_first_opens_a_new_meeting(tmp_path: Path) -> None:
    old, resume = live_meeting(tmp_path)
    meetings = Meetings(tmp_path, now=100.0, window=30.0)
    room = Room("r", 10)
    meetings.open(room, resume=None, invite_meeting=None, now=101.0)
    assert room.meeting != old.meeting and not room.continued and not room.lobby
    assert meetings.returning_role("r", resume, 102.0) is None  # that meeting is over


def test_a_meeting_nobody_came_back_to_is_over_once_the_window_closes(tmp_path: Path) -> None:
    _, resume = live_meeting(tmp_path)
    meetings = Meetings(tmp_path, now=100.0, window=30.0)
    assert meetings.interrupted("r", 129.0) is not None
    assert meetings.interrupted("r", 130.0) is None
    assert meetings.returning_role("r", resume, 131.0) is None
    assert not (tmp_path / "meetings" / "r.json").exists()


def test_a_broken_record_is_ignored(tmp_path: Path) -> None:
    (tmp_path / "meetings").mkdir()
    (tmp_path / "meetings" / "r.json").write_text("{not json")
    assert Meetings(tmp_path, now=0.0, window=30.0).interrupted("r", 1.0) is None


def test_without_a_data_dir_nothing_is_written() -> None:
    meetings = Meetings(None, now=0.0, window=30.0)
    room = Room("r", 10)
    meetings.open(room, resume=None, invite_meeting=None, now=0.0)
    meetings.save(room)
    assert room.meeting and meetings.interrupted("r", 1.0) is None


def test_a_disk_that_fails_costs_the_record_not_the_meeting(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "meetings").write_text("a file where the folder should be")
    meetings = Meetings(tmp_path, now=0.0, window=30.0)
    room = Room("r", 10)
    meetings.open(room, resume=None, invite_meeting=None, now=0.0)
    meetings.save(room)
    meetings.save(room)
    meetings.close(room)
    assert caplog.text.count("cannot keep meeting records") == 1
