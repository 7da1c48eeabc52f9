"""The dialogue service: each use case in one transaction, rules in the middle. No HTTP.

A use case finds the member behind the caller's secret (never a side or role
from the request), loads the records it names, asks the rules in
frankly/dialogues/ with `now` and fresh ids, and writes what they return,
all in one transaction: a refusal changes nothing. The calls block (they
talk to the database); the routes run them in a worker thread.

Side links are JWTs signed with the server's `dialogue-invite.key`; they carry
the invite's id (a row a lead could revoke), the side, whether it makes its
opener the side's lead, and an expiry checked against the service's clock.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final, TypeVar

import jwt
from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from frankly.api import public_records, records
from frankly.api.errors import ApiCode, ApiError
from frankly.api.public_records import PublishedReadout
from frankly.dialogues import access, ics, lookups, meetings, readouts, schedule
from frankly.dialogues.errors import DialogueCode, DialogueError
from frankly.dialogues.model import (
    AgreedPoint,
    Appointment,
    Dialogue,
    Meeting,
    MeetingDate,
    Member,
    Proposal,
    Revision,
    Side,
)
from frankly.dialogues.words import DateKind
from frankly.storage import Database
from frankly.storage.ids import (
    CREDENTIAL,
    DIALOGUE,
    INVITE,
    MEETING,
    MEMBER,
    PROPOSAL,
    READOUT,
    new_id,
    new_secret,
)
from frankly.storage.ids import SIDE as SIDE_ID

KEY_FILE: Final = "dialogue-invite.key"
_AUDIENCE: Final = "frankly-dialogue-side"
_ALGORITHM: Final = "HS256"
INVITE_TTL_MAX: Final = timedelta(days=30)

T = TypeVar("T")


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Joined:
    """A new member and the secret their device keeps (shown once, stored as a hash)."""

    member: Member
    secret: str


@dataclass(frozen=True, slots=True)
class SideLink:
    invite: str
    side: str
    lead: bool
    token: str
    expires: datetime


@dataclass(frozen=True, slots=True)
class MeetingView:
    meeting: Meeting
    room: str
    proposals: tuple[Proposal, ...]
    readouts: tuple[PublishedReadout, ...]  # each side's, if it published
    representatives: tuple[tuple[Appointment, str], ...] = ()  # (appointment, member's side)
    attendees: tuple[str, ...] = ()  # the members who may enter its room (access.attendees)
    points: tuple[AgreedPoint, ...] = ()
    transcript: int = 0  # the lines of its kept transcript (api/transcripts.py); 0: none


@dataclass(frozen=True, slots=True)
class DialogueView:
    """What a member may see of a dialogue: no draft of any side."""

    dialogue: Dialogue
    you: Member
    sides: tuple[Side, ...]
    members: tuple[Member, ...]
    meetings: tuple[MeetingView, ...]
    former: tuple[Member, ...] = ()  # removed members, to name what they wrote


@dataclass(frozen=True, slots=True)
class Draft:
    side: str
    revisions: tuple[Revision, ...]


class Service:
    def __init__(
        self, db: Database, invite_key: bytes, clock: Callable[[], datetime] = utc_now
    ) -> None:
        self.db = db
        self._key = invite_key
        self.clock = clock

    # Founding and joining.

    def create(
        self, title: str, sides: Sequence[tuple[str, str]], side: int, name: str
    ) -> tuple[DialogueView, Joined]:
        """A dialogue whose creator is its convener and the lead of sides[side]."""
        now = self.clock()
        made, made_sides = meetings.found(
            new_id(DIALOGUE), title, [(new_id(SIDE_ID), n, z) for n, z in sides], now
        )
        if not 0 <= side < len(made_sides):
            raise DialogueError(DialogueCode.UNKNOWN_SIDE, "no such side in this dialogue")
        member, _ = meetings.join(made_sides[side], new_id(MEMBER), name, as_lead=True)
        secret = new_secret()
        with self.db.transaction() as tx:
            records.add_dialogue(tx, made, made_sides)
            records.add_member(tx, member, now, lead=True, convener=True)
            records.add_credential(tx, new_id(CREDENTIAL), member.id, secret, now)
            view = self._view(tx, member, made.id)
        return view, Joined(member, secret)

    def side_link(
        self, secret: str | None, dialogue_id: str, side_id: str, lead: bool, ttl: timedelta
    ) -> SideLink:
        """A signed link to `side`: the convener makes any side's (a lead's link for a
        side without a lead); a side's lead makes members' links to their own side."""
        now = self.clock()
        if not timedelta(minutes=1) <= ttl <= INVITE_TTL_MAX:
            raise ApiError(ApiCode.INVALID_REQUEST, "a link lasts 1 minute to 30 days")
        with self.db.transaction() as tx:
            member = calling_member(tx, secret)
            found = dialogue_for(tx, member, dialogue_id)
            side = lookups.in_dialogue(
                records.sides_of(tx, dialogue_id).get(side_id),
                dialogue_id,
                DialogueCode.UNKNOWN_SIDE,
            )
            may_invite(member, found, side, lead)
            invite_id = new_id(INVITE)
            records.add_invite(tx, invite_id, side.id, now, now + ttl, lead=lead)
        claims: dict[str, Any] = {
            "aud": _AUDIENCE,
            "jti": invite_id,
            "dlg": dialogue_id,
            "side": side.id,
            "lead": lead,
            "exp": int((now + ttl).timestamp()),
        }
        token = jwt.encode(claims, self._key, algorithm=_ALGORITHM)
        return SideLink(invite_id, side.id, lead, token, now + ttl)

    def join(self, token: str, name: str) -> tuple[DialogueView, Joined]:
        """A new member of the side a genuine, current link names, under `name`.

        Two openers of one lead's link at once: the database keeps one lead a
        side, and the loser, run again, is told by the rules the side has one."""
        try:
            return self._join(token, name)
        except IntegrityError:
            return self._join(token, name)

    def _join(self, token: str, name: str) -> tuple[DialogueView, Joined]:
        now = self.clock()
        claims = self._claims(token, now)
        secret = new_secret()
        with self.db.transaction() as tx:
            row = records.invite(tx, claims["jti"])
            if row is None or row.side != claims["side"] or row.revoked is not None:
                raise ApiError(ApiCode.INVALID_INVITE, "this link is not valid")
            if row.expires <= now:
                raise ApiError(ApiCode.EXPIRED_INVITE, "this link has expired")
            side = records.sides_of(tx, claims["dlg"]).get(claims["side"])
            if side is None:
                raise ApiError(ApiCode.INVALID_INVITE, "this link is not valid")
            member, led = meetings.join(side, new_id(MEMBER), name, as_lead=claims["lead"])
            records.add_member(tx, member, now, lead=led.lead == member.id)
            records.add_credential(tx, new_id(CREDENTIAL), member.id, secret, now)
            view = self._view(tx, member, side.dialogue)
        return view, Joined(member, secret)

    def read(self, secret: str | None, dialogue_id: str) -> DialogueView:
        with self.db.read() as tx:
            member = calling_member(tx, secret)
            return self._view(tx, member, dialogue_id)

    # Meetings and their dates.

    def create_meeting(
        self,
        secret: str | None,
        dialogue_id: str,
        topic: str,
        agenda: str,
        kind: DateKind,
        by: date | None,
        minutes: int = meetings.MINUTES_DEFAULT,
        invited: Sequence[str] | None = None,
    ) -> MeetingView:
        """A first meeting between `invited` sides (every side unless told), `minutes` long."""
        now = self.clock()
        with self.db.transaction() as tx:
            member = calling_member(tx, secret)
            found = dialogue_for(tx, member, dialogue_id)
            sides = records.sides_of(tx, dialogue_id)
            made = meetings.meeting(
                found,
                member,
                sides,
                new_id(MEETING),
                topic,
                agenda,
                MeetingDate(kind, by=by),
                invited,
                minutes,
            )
            room = new_room()
            records.add_meeting(tx, made, room, now)
            return meeting_view(tx, made, room)

    def propose(
        self, secret: str | None, dialogue_id: str, meeting_id: str, at: datetime
    ) -> Proposal:
        now = self.clock()

        def change(
            tx: Connection, member: Member, meeting: Meeting, sides: dict[str, Side]
        ) -> Proposal:
            made = schedule.propose(
                meeting,
                records.proposals_of(tx, meeting.id),
                member,
                sides,
                at,
                now,
                new_id(PROPOSAL),
            )
            records.add_proposal(tx, made, now)
            return made

        return self._on_meeting(secret, dialogue_id, meeting_id, change)

    def accept(
        self, secret: str | None, dialogue_id: str, meeting_id: str, proposal_id: str
    ) -> Meeting:
        now = self.clock()

        def change(
            tx: Connection, member: Member, meeting: Meeting, sides: dict[str, Side]
        ) -> Meeting:
            decision = schedule.accept(
                meeting, records.proposals_of(tx, meeting.id), proposal_id, member, sides, now
            )
            records.set_date(tx, decision.meeting)
            records.answer_proposals(tx, decision.proposals, now)
            return decision.meeting

        return self._on_meeting(secret, dialogue_id, meeting_id, change)

    def decline(
        self, secret: str | None, dialogue_id: str, meeting_id: str, proposal_id: str
    ) -> Proposal:
        return self._answer(secret, dialogue_id, meeting_id, proposal_id, schedule.decline)

    def withdraw(
        self, secret: str | None, dialogue_id: str, meeting_id: str, proposal_id: str
    ) -> Proposal:
        return self._answer(secret, dialogue_id, meeting_id, proposal_id, schedule.withdraw)

    def calendar(self, secret: str | None, dialogue_id: str, meeting_id: str, base_url: str) -> str:
        """The .ics of a scheduled meeting, with the link to its room."""
        now = self.clock()
        with self.db.read() as tx:
            member = calling_member(tx, secret)
            found = dialogue_for(tx, member, dialogue_id)
            meeting, room = meeting_in(tx, dialogue_id, meeting_id)
            url = f"{base_url.rstrip('/')}/{room}"
            return ics.meeting_ics(meeting, found.title, url, now, records.moves(tx, meeting.id))

    # Readouts.

    def save_draft(
        self,
        secret: str | None,
        dialogue_id: str,
        meeting_id: str,
        side_id: str,
        base: int,
        text: str,
    ) -> Revision:
        """A new revision of a side's readout from revision `base`; a save that lost a race
        for the same number is answered by the rules, run again on what won: stale-revision."""
        try:
            return self._save(secret, dialogue_id, meeting_id, side_id, base, text)
        except IntegrityError:
            return self._save(secret, dialogue_id, meeting_id, side_id, base, text)

    def draft(self, secret: str | None, dialogue_id: str, meeting_id: str, side_id: str) -> Draft:
        with self.db.read() as tx:
            member = calling_member(tx, secret)
            dialogue_for(tx, member, dialogue_id)
            meeting_in(tx, dialogue_id, meeting_id)
            side = side_in(tx, dialogue_id, side_id)
            access.draft_reader(member, side)
            _, found = records.readout(tx, meeting_id, side_id)
            return Draft(side.id, found.revisions)

    def publish(
        self, secret: str | None, dialogue_id: str, meeting_id: str, side_id: str, number: int
    ) -> Revision:
        now = self.clock()
        with self.db.transaction() as tx:
            member = calling_member(tx, secret)
            dialogue_for(tx, member, dialogue_id)
            meeting_in(tx, dialogue_id, meeting_id)
            side = side_in(tx, dialogue_id, side_id)
            readout_id, found = records.readout(tx, meeting_id, side_id)
            done = readouts.publish(found, side, member, number)
            assert readout_id is not None and member is not None  # the rule checked both
            records.publish_revision(tx, readout_id, number, member.id, now)
            return done.revisions[-1]

    # Helpers.

    def _save(
        self,
        secret: str | None,
        dialogue_id: str,
        meeting_id: str,
        side_id: str,
        base: int,
        text: str,
    ) -> Revision:
        now = self.clock()
        with self.db.transaction() as tx:
            member = calling_member(tx, secret)
            dialogue_for(tx, member, dialogue_id)
            meeting, _ = meeting_in(tx, dialogue_id, meeting_id)
            side = side_in(tx, dialogue_id, side_id)
            readout_id, found = records.readout(tx, meeting_id, side_id)
            saved = readouts.save(found, side, member, base, text, now)
            access.side_in(meeting, side)  # a side writes readouts of its own meetings only
            if readout_id is None:
                readout_id = new_id(READOUT)
                records.add_readout(tx, readout_id, meeting_id, side_id, now)
            revision = saved.revisions[-1]
            records.add_revision(tx, readout_id, revision)
            return revision

    def _answer(
        self,
        secret: str | None,
        dialogue_id: str,
        meeting_id: str,
        proposal_id: str,
        rule: Callable[[Meeting, list[Proposal], str, Member | None, dict[str, Side]], Proposal],
    ) -> Proposal:
        now = self.clock()

        def change(
            tx: Connection, member: Member, meeting: Meeting, sides: dict[str, Side]
        ) -> Proposal:
            answered = rule(
                meeting, records.proposals_of(tx, meeting.id), proposal_id, member, sides
            )
            records.answer_proposals(tx, [answered], now)
            return answered

        return self._on_meeting(secret, dialogue_id, meeting_id, change)

    def _on_meeting(
        self,
        secret: str | None,
        dialogue_id: str,
        meeting_id: str,
        change: Callable[[Connection, Member, Meeting, dict[str, Side]], T],
    ) -> T:
        """One change to a meeting's dates, its row held for the transaction."""
        with self.db.transaction() as tx:
            member = calling_member(tx, secret)
            dialogue_for(tx, member, dialogue_id)
            meeting, _ = meeting_in(tx, dialogue_id, meeting_id, lock=True)
            return change(tx, member, meeting, records.sides_of(tx, dialogue_id))

    def _claims(self, token: str, now: datetime) -> dict[str, Any]:
        try:
            # The expiry is checked against the service's clock, below.
            claims: dict[str, Any] = jwt.decode(
                token,
                self._key,
                algorithms=[_ALGORITHM],
                audience=_AUDIENCE,
                options={"require": ["exp", "jti", "dlg", "side"], "verify_exp": False},
            )
        except jwt.InvalidTokenError:
            raise ApiError(ApiCode.INVALID_INVITE, "this link is not valid") from None
        fields = (claims.get("jti"), claims.get("dlg"), claims.get("side"))
        if not all(isinstance(f, str) for f in fields) or not isinstance(claims.get("lead"), bool):
            raise ApiError(ApiCode.INVALID_INVITE, "this link is not valid")
        if not isinstance(claims["exp"], int) or claims["exp"] <= now.timestamp():
            raise ApiError(ApiCode.EXPIRED_INVITE, "this link has expired")
        return claims

    def _view(self, tx: Connection, member: Member, dialogue_id: str) -> DialogueView:
        found = dialogue_for(tx, member, dialogue_id)
        around = _Around.of(tx, dialogue_id)
        shown = tuple(
            around.view(tx, meeting, room) for meeting, room in records.meetings_of(tx, dialogue_id)
        )
        current = tuple(m for m in around.members if not m.removed)
        former = tuple(m for m in around.members if m.removed)
        return DialogueView(found, member, tuple(around.sides.values()), current, shown, former)


def new_room() -> str:
    """A dialogue meeting's room name: random, so that nobody finds it by guessing."""
    return f"dlg-{secrets.token_hex(12)}"


def meeting_view(tx: Connection, meeting: Meeting, room: str) -> MeetingView:
    """One meeting as members see it, read in the transaction that changed it."""
    return _Around.of(tx, meeting.dialogue).view(tx, meeting, room)


@dataclass(frozen=True, slots=True)
class _Around:
    """What a meeting's view needs of its dialogue, read once for all its meetings."""

    sides: dict[str, Side]
    members: tuple[Member, ...]
    appointments: tuple[Appointment, ...]
    points: tuple[AgreedPoint, ...]

    @staticmethod
    def of(tx: Connection, dialogue_id: str) -> _Around:
        return _Around(
            records.sides_of(tx, dialogue_id),
            tuple(records.members_of(tx, dialogue_id)),
            tuple(records.appointments_of(tx, dialogue_id)),
            tuple(records.points_of(tx, dialogue_id)),
        )

    def view(self, tx: Connection, meeting: Meeting, room: str) -> MeetingView:
        published = public_records.published_of(tx, meeting)
        # A removed member is no representative any more; the row stays as history.
        current = {m.id: m for m in self.members if not m.removed}
        appointed = tuple(
            (a, current[a.member].side)
            for a in self.appointments
            if a.meeting == meeting.id and a.member in current
        )
        attendees = access.attendees(meeting, self.sides, self.members, self.appointments)
        return MeetingView(
            meeting,
            room,
            tuple(records.proposals_of(tx, meeting.id)),
            published,
            appointed,
            tuple(m.id for m in attendees),
            tuple(p for p in self.points if p.meeting == meeting.id),
            records.transcript_size(tx, meeting.id)[0],
        )


def calling_credential(tx: Connection, secret: str | None) -> tuple[str, Member]:
    """The credential `secret` is (its id) and its member; the rules then say what the
    member may do."""
    found = records.credential_by_secret(tx, secret) if secret else None
    if found is None:
        raise ApiError(ApiCode.UNAUTHENTICATED, "sign in through your side's link first")
    return found


def calling_member(tx: Connection, secret: str | None) -> Member:
    """The member behind `secret`."""
    return calling_credential(tx, secret)[1]


def dialogue_for(tx: Connection, member: Member | None, dialogue_id: str) -> Dialogue:
    """The dialogue, if `member` may read it; unknown-dialogue alike for an outsider
    and for an id that does not exist."""
    access.reader(member, dialogue_id)
    found = records.dialogue(tx, dialogue_id)
    if found is None:
        raise DialogueError(DialogueCode.UNKNOWN_DIALOGUE, "no such dialogue")
    return found


def meeting_in(
    tx: Connection, dialogue_id: str, meeting_id: str, *, lock: bool = False
) -> tuple[Meeting, str]:
    found = records.meeting(tx, meeting_id, lock=lock)
    meeting = lookups.in_dialogue(
        found[0] if found else None, dialogue_id, DialogueCode.UNKNOWN_MEETING
    )
    assert found is not None
    return meeting, found[1]


def side_in(tx: Connection, dialogue_id: str, side_id: str) -> Side:
    return lookups.in_dialogue(
        records.sides_of(tx, dialogue_id).get(side_id), dialogue_id, DialogueCode.UNKNOWN_SIDE
    )


def may_invite(member: Member, dialogue: Dialogue, side: Side, lead: bool) -> None:
    """Who makes a side's link: the convener any side's; a side's lead members' links
    to their own side. A lead's link is only for a side that has no lead yet."""
    if lead:
        if member.id != dialogue.convener:
            raise DialogueError(DialogueCode.NOT_LEAD, "only the convener makes a lead's link")
        if side.lead is not None:
            raise DialogueError(DialogueCode.NOT_LEAD, f"{side.name} has a lead already")
        return
    if member.id != dialogue.convener:
        access.lead_of(member, side)
