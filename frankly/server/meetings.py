"""Which meeting a room holds, and how a meeting outlives a restart of the server.

A room name is not a meeting: anyone may open a room of a name that emptied.
So every room gets a meeting id (random, 128 bits) when it opens, hosts'
invites carry it, and a meeting is over when its room empties or is ended:
its invites die with it (docs/security.md, *Invitations*).

A restart must not end a meeting, since its people come back on their own
(clients reconnect with their resume token). So, with a data directory, the
server keeps a small record of each live meeting in DATA_DIR/meetings/ROOM.json:
its id, the SHA-256 of each participant's resume token with its role, the
invites revoked, the settings (the password only as its salted scrypt hash),
the bans, and each interpreter's language pair and each dialogue member's
side and member id by the same hash. After a
restart, for `grace` seconds, the first hello for that room continues the
meeting if it shows it belongs: a resume token on record (its holder comes
back with its role and side, and as the interpreter it was, past the checks it passed
before), or
an invite for that meeting id. A hello that shows neither opens a new meeting,
and the old one is over. Each one back gets exactly the role on record: while
a host on record may still come back, nobody is made host in their place;
only when the window closes with no host back is someone promoted. Records
of meetings nobody came back to are deleted once the window closes.

In a cluster (frankly/cluster/), every record is also handed to `mirror`,
which keeps it in Redis; a node that takes over the room of a node that died
`adopt`s its record, and the meeting continues there as after a restart.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from frankly.rooms import Room
from frankly.rooms.room import HOST, Participant
from frankly.server.passwords import Hashed

log = logging.getLogger(__name__)

FOLDER = "meetings"


def new_meeting_id() -> str:
    return secrets.token_urlsafe(16)


def meeting_tag(meeting: str) -> str:
    """What the welcome says of a meeting's id: stable, but not the id invites carry."""
    return hashlib.sha256(b"frankly meeting tag\0" + meeting.encode()).hexdigest()[:22]


def token_hash(resume: str) -> str:
    return hashlib.sha256(resume.encode()).hexdigest()


@dataclass
class Record:
    """What a restart keeps of a meeting."""

    id: str
    members: dict[str, str] = field(default_factory=dict)  # resume token hash -> role
    revoked: list[str] = field(default_factory=list)
    lobby: bool = False
    locked: bool = False
    password: list[str] | None = None  # [salt, digest] in hex
    banned_devices: list[str] = field(default_factory=list)
    banned_addresses: list[str] = field(default_factory=list)
    interpreters: dict[str, list[str]] = field(default_factory=dict)  # token hash -> pair
    sides: dict[str, str] = field(default_factory=dict)  # token hash -> a dialogue's side
    # Token hash -> the dialogue member the invite was made for (put out when removed).
    dialogue_members: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(
        cls, room: Room, returning: dict[str, str], sides: dict[str, str], dialogue: dict[str, str]
    ) -> Record:
        hashed: Hashed | None = room.password
        members = dict(returning)
        members.update({token_hash(p.resume): p.role for p in room.participants.values()})
        return cls(
            interpreters=_interpreters(room),
            sides=_kept(room, returning, sides, lambda p: p.side),
            dialogue_members=_kept(room, returning, dialogue, lambda p: p.member),
            id=room.meeting,
            members=members,
            revoked=sorted(room.revoked),
            lobby=room.lobby,
            locked=room.locked,
            password=[hashed.salt.hex(), hashed.digest.hex()] if hashed else None,
            banned_devices=sorted(room.banned_devices),
            banned_addresses=sorted(room.banned_addresses),
        )

    def restore(self, room: Room) -> None:
        room.meeting = self.id
        room.revoked = set(self.revoked)
        room.lobby, room.locked = self.lobby, self.locked
        if self.password is not None:
            salt, digest = self.password
            room.password = Hashed(bytes.fromhex(salt), bytes.fromhex(digest))
        room.banned_devices = set(self.banned_devices)
        room.banned_addresses = set(self.banned_addresses)
        room.interpretation.returning = {
            digest: (pair[0], pair[1])
            for digest, pair in self.interpreters.items()
            if isinstance(pair, list) and len(pair) == 2
        }


def _kept(
    room: Room,
    returning: dict[str, str],
    before: dict[str, str],
    of: Callable[[Participant], str | None],
) -> dict[str, str]:
    """By resume token hash: what `of` says of those here, and what `before` said of
    those not back yet."""
    kept = {digest: value for digest, value in before.items() if digest in returning}
    for p in room.participants.values():
        value = of(p)
        if value:
            kept[token_hash(p.resume)] = value
    return kept


def _interpreters(room: Room) -> dict[str, list[str]]:
    """Each interpreter's pair by resume token hash: those here, and those not back yet."""
    interp = room.interpretation
    kept = {digest: list(pair) for digest, pair in interp.returning.items()}
    for booth in interp.booths:
        for pid in booth.members:
            participant = room.participants.get(pid)
            if participant is not None:
                kept[token_hash(participant.resume)] = list(booth.pair)
    return kept


def _on_record(by_token: object, resume: str | None) -> str | None:
    """What a record (read from a file or Redis: any JSON) holds for this resume token."""
    if resume is None or not isinstance(by_token, dict):
        return None
    value = by_token.get(token_hash(resume))
    return value if isinstance(value, str) else None


class Meetings:
    def __init__(self, data_dir: Path | None, now: float, window: float) -> None:
        self._folder = data_dir / FOLDER if data_dir is not None else None
        # Meetings the last run left live, by room name, until `_until`.
        self._interrupted: dict[str, Record] = self._load()
        self._until = now + window
        # Members of a continued meeting who are not back yet, by room name.
        self._returning: dict[str, dict[str, str]] = {}
        # Their sides and dialogue members (dialogue rooms), by room name and token hash.
        self._sides: dict[str, dict[str, str]] = {}
        self._dialogue_members: dict[str, dict[str, str]] = {}
        self._failing = False  # the last write failed (logged once)
        # In a cluster: each record as JSON (None once the meeting is over), for Redis.
        self.mirror: Callable[[str, str | None], None] | None = None
        self._window = window
        self._adopted: set[str] = set()  # interrupted meetings that came from Redis

    # --- after a restart ------------------------------------------------------

    def interrupted(self, room: str, now: float) -> Record | None:
        """The meeting a restart left in this room, while it may still continue."""
        if now >= self._until and self._interrupted:
            for name in list(self._interrupted):
                self._delete(name)
                if self.mirror is not None and name in self._adopted:
                    # Only what came from Redis: a record this node's disk kept from
                    # before its restart may belong to a node that took the room over.
                    self.mirror(name, None)
            self._adopted.clear()
            self._interrupted.clear()
            self._returning.clear()
            self._sides.clear()
            self._dialogue_members.clear()
        return self._interrupted.get(room)

    def adopt(self, room: str, record: Record, now: float) -> None:
        """A meeting its node left when it died: continue it here as after a restart.

        The window opens now; it is one for all interrupted meetings, so one
        kept from a restart may last a little longer too.
        """
        if room in self._interrupted:
            return
        self._interrupted[room] = record
        self._adopted.add(room)
        self._until = max(self._until, now + self._window)

    def returning_role(self, room: str, resume: str | None, now: float) -> str | None:
        """The role on record for this resume token in an interrupted meeting.

        Before the room opens again, and after, while its window lasts: the
        second one back is let in as the first was.
        """
        record = self.interrupted(room, now)
        if resume is None:
            return None
        members = record.members if record is not None else self._returning.get(room, {})
        return members.get(token_hash(resume))

    def returning_side(self, room: str, resume: str | None, now: float) -> str | None:
        """The dialogue side on record for this resume token in an interrupted meeting."""
        record = self.interrupted(room, now)
        sides = record.sides if record is not None else self._sides.get(room, {})
        return _on_record(sides, resume)

    def returning_member(self, room: str, resume: str | None, now: float) -> str | None:
        """The dialogue member on record for this resume token in an interrupted meeting."""
        record = self.interrupted(room, now)
        members = record.dialogue_members if record is not None else None
        return _on_record(members or self._dialogue_members.get(room, {}), resume)

    def host_awaited(self, room: str, now: float) -> float:
        """Seconds a host of this continued meeting may still come back in, or 0.

        While one may, nobody else is made host in their place: a resume proves
        who someone was, and coming back first proves nothing.
        """
        if now >= self._until:
            return 0.0
        if HOST not in self._returning.get(room, {}).values():
            return 0.0
        return self._until - now

    def came_back(self, room: str, resume: str) -> None:
        """A member of a continued meeting is in again: its old token is spent."""
        self._returning.get(room, {}).pop(token_hash(resume), None)

    def open(self, room: Room, resume: str | None, invite_meeting: str | None, now: float) -> None:
        """A room opens: continue its interrupted meeting if the hello belongs to it."""
        record = self.interrupted(room.name, now)
        self._interrupted.pop(room.name, None)
        if record is not None:
            belongs = invite_meeting == record.id or (
                resume is not None and token_hash(resume) in record.members
            )
            if belongs:
                record.restore(room)
                room.continued = True
                returning = dict(record.members)
                if resume is not None:
                    returning.pop(token_hash(resume), None)
                self._returning[room.name] = returning
                self._sides[room.name] = dict(record.sides)
                self._dialogue_members[room.name] = dict(record.dialogue_members)
                return
        room.meeting = new_meeting_id()

    # --- while it lasts --------------------------------------------------------

    def save(self, room: Room) -> None:
        """Write the meeting's record; a disk that fails costs the restart, not the meeting."""
        if (self._folder is None and self.mirror is None) or not room.meeting:
            return
        returning = self._returning.get(room.name, {})
        sides = self._sides.get(room.name, {})
        members = self._dialogue_members.get(room.name, {})
        body = json.dumps(Record.of(room, returning, sides, members).__dict__)
        if self.mirror is not None:
            self.mirror(room.name, body)
        if self._folder is None:
            return
        try:
            self._write(self._folder / f"{room.name}.json", body)
        except OSError as exc:
            if not self._failing:  # once, not once a join
                log.warning("cannot keep meeting records in %s: %s", self._folder, exc)
            self._failing = True
        else:
            self._failing = False

    def _write(self, path: Path, body: str) -> None:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        # Written whole, then renamed: a crash mid-write leaves the old record.
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(body)
        os.replace(temporary, path)

    def close(self, room: Room) -> None:
        """The meeting is over: nothing of it may come back."""
        self._returning.pop(room.name, None)
        self._sides.pop(room.name, None)
        self._dialogue_members.pop(room.name, None)
        self._delete(room.name)
        if self.mirror is not None:
            self.mirror(room.name, None)

    # --- files -------------------------------------------------------------------

    def _load(self) -> dict[str, Record]:
        if self._folder is None or not self._folder.is_dir():
            return {}
        records = {}
        for path in self._folder.glob("*.json"):
            try:
                records[path.stem] = Record(**json.loads(path.read_text()))
            except (OSError, ValueError, TypeError) as exc:
                log.warning("ignoring the meeting record %s: %s", path, exc)
        return records

    def _delete(self, room: str) -> None:
        if self._folder is not None:
            with contextlib.suppress(OSError):  # gone already, or the disk failed (logged)
                (self._folder / f"{room}.json").unlink()
