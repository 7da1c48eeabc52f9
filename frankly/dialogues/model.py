"""The records of a dialogue, as frozen dataclasses with no behaviour of their own.

The rules (access, schedule, readouts, points) take these in and hand new
ones back; nothing here reads a database or a clock. Ids are opaque strings
that storage makes. Every instant is an aware datetime in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from frankly.dialogues.errors import DialogueCode, DialogueError
from frankly.dialogues.words import DateKind, ProposalState


def require_utc(at: datetime, what: str) -> datetime:
    """`at` itself if it is an aware UTC instant, else bad-date naming `what`."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise DialogueError(DialogueCode.BAD_DATE, f"{what} has no time zone; give it in UTC")
    if at.utcoffset() != UTC.utcoffset(None):
        raise DialogueError(DialogueCode.BAD_DATE, f"{what} must be given in UTC")
    return at


@dataclass(frozen=True, slots=True)
class Dialogue:
    id: str
    title: str
    convener: str | None  # the member who created it, once they have joined a side
    created: datetime


@dataclass(frozen=True, slots=True)
class Side:
    id: str
    dialogue: str
    name: str
    zone: str  # an IANA time zone, checked by zones.check_zone
    lead: str | None  # a member id; None until the lead has joined


@dataclass(frozen=True, slots=True)
class Member:
    id: str
    dialogue: str
    side: str
    name: str
    removed: bool = False


@dataclass(frozen=True, slots=True)
class MeetingDate:
    """What is known of when a meeting happens; `by` and `at` go with their kind only."""

    kind: DateKind
    by: date | None = None
    at: datetime | None = None

    def __post_init__(self) -> None:
        if (self.kind == "by") != (self.by is not None):
            raise DialogueError(DialogueCode.BAD_DATE, "a day goes with 'by' and only with it")
        if (self.kind == "scheduled") != (self.at is not None):
            raise DialogueError(
                DialogueCode.BAD_DATE, "an instant goes with 'scheduled' and only with it"
            )
        if self.at is not None:
            require_utc(self.at, "the meeting's time")


TBA = MeetingDate("tba")
ASAP = MeetingDate("asap")


def by_day(day: date) -> MeetingDate:
    return MeetingDate("by", by=day)


def scheduled(at: datetime) -> MeetingDate:
    return MeetingDate("scheduled", at=at)


@dataclass(frozen=True, slots=True)
class Meeting:
    id: str
    dialogue: str
    topic: str
    agenda: str
    follows: str | None  # the meeting this one follows up, or None for a first meeting
    date: MeetingDate
    sides: tuple[str, ...]  # the sides invited to it
    minutes: int = 60  # how long it is planned to last (the calendar entry's end)


@dataclass(frozen=True, slots=True)
class Proposal:
    id: str
    meeting: str
    side: str  # the side that proposed it
    at: datetime
    state: ProposalState
    by: str  # the member who proposed it
    decided_by: str | None = None  # who accepted, declined or withdrew it


@dataclass(frozen=True, slots=True)
class Appointment:
    """A representative: `member` speaks for their side at follow-up `meeting` on `topic`."""

    meeting: str
    member: str
    topic: str


@dataclass(frozen=True, slots=True)
class Revision:
    number: int  # 1, 2, ... within one readout
    text: str
    author: str  # a member id
    at: datetime
    published: bool = False


@dataclass(frozen=True, slots=True)
class Readout:
    """One side's readout of one meeting: its revisions, oldest first."""

    meeting: str
    side: str
    revisions: tuple[Revision, ...] = ()

    @property
    def latest(self) -> Revision | None:
        return self.revisions[-1] if self.revisions else None


@dataclass(frozen=True, slots=True)
class Confirmation:
    side: str
    member: str  # the side's lead who confirmed
    at: datetime


@dataclass(frozen=True, slots=True)
class AgreedPoint:
    id: str
    meeting: str
    text: str
    drafted_by: str  # a side id
    confirmations: tuple[Confirmation, ...] = ()
    author: str | None = None  # the member who drafted it
    at: datetime | None = None  # when it was drafted
