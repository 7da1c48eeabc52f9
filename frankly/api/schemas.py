"""The REST API's requests and answers: the pydantic models that validate each
request body and describe each answer (/api/openapi.json is generated from
them), and the functions that turn the service's records into answers.
Nothing here touches a request or the store: routes.py does.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from pydantic import BaseModel, Field

from frankly.api.guard import BODY_MAX
from frankly.api.public_records import PublishedReadout, page_url
from frankly.api.service import DialogueView, MeetingView
from frankly.dialogues import points, render, zones
from frankly.dialogues.meetings import MINUTES_DEFAULT, MINUTES_MAX, MINUTES_MIN
from frankly.dialogues.model import AgreedPoint, Meeting, Member, Proposal, Revision
from frankly.dialogues.words import DateKind, ProposalState

# Requests.


class SideIn(BaseModel):
    name: str = Field(max_length=1000, examples=["United States"])
    zone: str = Field(max_length=1000, examples=["America/New_York"])


class CreateIn(BaseModel):
    title: str = Field(max_length=1000, examples=["Talks on strategic stability"])
    sides: list[SideIn] = Field(max_length=100)
    side: int = Field(0, description="the index in `sides` of the side the creator leads")
    name: str = Field(max_length=1000, description="the creator's name on that side")


class LinkIn(BaseModel):
    lead: bool = Field(False, description="the opener becomes the side's lead (once)")
    hours: float = Field(
        168, gt=0, le=720, description="how long the link works, 1/60 to 720 hours"
    )


class JoinIn(BaseModel):
    token: str = Field(max_length=4000)
    name: str = Field(max_length=1000)


class DateIn(BaseModel):
    kind: DateKind = "tba"
    by: date | None = None


class MeetingIn(BaseModel):
    topic: str = Field(max_length=1000)
    agenda: str = Field("", max_length=BODY_MAX)
    date: DateIn = DateIn()
    minutes: int = Field(
        MINUTES_DEFAULT, ge=MINUTES_MIN, le=MINUTES_MAX, description="its planned length"
    )
    sides: list[str] | None = Field(
        None, max_length=100, description="the ids of the sides invited; every side unless told"
    )


class ProposeIn(BaseModel):
    at: datetime = Field(description="the proposed start, an instant (UTC: ...Z)")


class DraftIn(BaseModel):
    base: int = Field(ge=0, description="the revision edited from; 0 for the first")
    text: str


class PublishIn(BaseModel):
    number: int = Field(ge=1)


class FollowUpIn(BaseModel):
    topic: str = Field(max_length=1000)
    agenda: str = Field("", max_length=BODY_MAX)
    date: DateIn = DateIn()
    minutes: int | None = Field(
        None, ge=MINUTES_MIN, le=MINUTES_MAX, description="the meeting's own unless told"
    )


class AppointIn(BaseModel):
    member: str = Field(max_length=100, description="a member of the caller's side")
    topic: str | None = Field(None, max_length=1000, description="the follow-up's unless told")


class PointIn(BaseModel):
    text: str = Field(max_length=10_000)


class ConfirmIn(BaseModel):
    side: str | None = Field(None, max_length=100, description="the caller's side unless told")


class LeadIn(BaseModel):
    member: str = Field(max_length=100, description="a current member of the same side")


class DeviceIn(BaseModel):
    token: str = Field(max_length=200, description="from POST /dialogues/{dialogue}/devices")
    device: str | None = Field(None, max_length=1000, examples=["Phone"])


# Answers.


class ErrorBody(BaseModel):
    code: str
    message: str
    detail: dict[str, object] | None = None


class ErrorOut(BaseModel):
    error: ErrorBody


class SideOut(BaseModel):
    id: str
    name: str
    zone: str
    lead: str | None


class MemberOut(BaseModel):
    id: str
    name: str
    side: str


class YouOut(MemberOut):
    convener: bool
    lead: bool


class DateOut(BaseModel):
    kind: DateKind
    by: date | None = None
    at: datetime | None = None
    shown: str | None = Field(None, description="with ?zone=: the time there and in each side's")


class ProposalOut(BaseModel):
    id: str
    side: str
    at: datetime
    state: ProposalState
    by: str
    decided_by: str | None
    shown: str | None = None


class RevisionOut(BaseModel):
    number: int
    text: str
    html: str = Field(description="the Markdown rendered so that it runs no script")
    author: str
    at: datetime
    published: bool


class ReadoutOut(BaseModel):
    id: str
    side: str
    revision: RevisionOut = Field(description="the latest published revision")
    public: bool = Field(description="readable by anyone at `url` (the side's lead says)")
    url: str | None = Field(description="the public page, /readouts/{id}, when public")
    history: list[RevisionOut] = Field(description="every published revision, newest first")


class RepresentativeOut(BaseModel):
    member: str
    side: str
    topic: str


class ConfirmationOut(BaseModel):
    side: str
    lead: str = Field(description="the side's lead who confirmed")
    at: datetime


class PointOut(BaseModel):
    id: str
    text: str
    html: str = Field(description="the Markdown rendered so that it runs no script")
    side: str = Field(description="the side that drafted it")
    author: str = Field(description="the member who drafted it")
    at: datetime
    confirmations: list[ConfirmationOut]
    waiting_for: list[str] = Field(description="the invited sides that have not confirmed it")
    agreed: bool = Field(description="every invited side's lead has confirmed it")


class MeetingOut(BaseModel):
    id: str
    topic: str
    agenda: str
    follows: str | None
    date: DateOut
    room: str
    sides: list[str]
    minutes: int = Field(description="its planned length")
    proposals: list[ProposalOut] = []
    readouts: list[ReadoutOut] = Field([], description="each side's latest published readout")
    representatives: list[RepresentativeOut] = []
    attendees: list[str] = Field([], description="the members who may enter its room")
    points: list[PointOut] = []
    transcript: int = Field(
        0, description="lines of the transcript kept with it (0: none); .../transcript reads it"
    )


class DialogueOut(BaseModel):
    id: str
    title: str
    convener: str | None
    created: datetime
    you: YouOut
    sides: list[SideOut]
    members: list[MemberOut] = Field(description="the current members")
    former: list[MemberOut] = Field(
        [], description="removed members, who may still be the authors of what is shown"
    )
    meetings: list[MeetingOut]


class LinkOut(BaseModel):
    invite: str
    side: str
    lead: bool
    token: str = Field(description="POST it to /api/join with a name")
    expires: datetime


class DraftOut(BaseModel):
    side: str
    revisions: list[RevisionOut]


class DeviceLinkOut(BaseModel):
    token: str = Field(description="POST it to /api/devices from the new device, once")
    expires: datetime


class DeviceOut(BaseModel):
    id: str
    device: str | None
    created: datetime
    current: bool = Field(description="the device that asked")


class SideLinkOut(BaseModel):
    invite: str
    side: str
    lead: bool
    created: datetime
    expires: datetime
    revoked: datetime | None


# Records to answers.


def dialogue_out(view: DialogueView, zone: str | None) -> DialogueOut:
    found, you = view.dialogue, view.you
    leads = {s.lead for s in view.sides}
    shown_sides = view.sides

    def shown(at: datetime | None) -> str | None:
        return zones.render(at, zone, shown_sides) if at is not None and zone else None

    return DialogueOut(
        id=found.id,
        title=found.title,
        convener=found.convener,
        created=found.created,
        you=YouOut(
            id=you.id,
            name=you.name,
            side=you.side,
            convener=you.id == found.convener,
            lead=you.id in leads,
        ),
        sides=[SideOut(id=s.id, name=s.name, zone=s.zone, lead=s.lead) for s in view.sides],
        members=[_member_out(m) for m in view.members],
        former=[_member_out(m) for m in view.former],
        meetings=[meeting_out(m, shown) for m in view.meetings],
    )


def meeting_out(
    view: MeetingView, shown: Callable[[datetime | None], str | None] = lambda _: None
) -> MeetingOut:
    meeting = view.meeting
    return MeetingOut(
        id=meeting.id,
        topic=meeting.topic,
        agenda=meeting.agenda,
        follows=meeting.follows,
        date=date_out(meeting, shown(meeting.date.at)),
        room=view.room,
        sides=list(meeting.sides),
        minutes=meeting.minutes,
        proposals=[proposal_out(p, shown(p.at)) for p in view.proposals],
        readouts=[readout_out(r) for r in view.readouts],
        representatives=[
            RepresentativeOut(member=a.member, side=side, topic=a.topic)
            for a, side in view.representatives
        ],
        attendees=list(view.attendees),
        points=[point_out(p, meeting) for p in view.points],
        transcript=view.transcript,
    )


def point_out(point: AgreedPoint, meeting: Meeting) -> PointOut:
    assert point.author is not None and point.at is not None  # stored with both
    return PointOut(
        id=point.id,
        text=point.text,
        html=render.to_html(point.text),
        side=point.drafted_by,
        author=point.author,
        at=point.at,
        confirmations=[
            ConfirmationOut(side=c.side, lead=c.member, at=c.at) for c in point.confirmations
        ],
        waiting_for=list(points.waiting_for(point, meeting)),
        agreed=points.is_agreed(point, meeting),
    )


def readout_out(r: PublishedReadout) -> ReadoutOut:
    return ReadoutOut(
        id=r.id,
        side=r.side,
        revision=revision_out(r.latest),
        public=r.public,
        url=page_url(r.id) if r.public else None,
        history=[revision_out(h) for h in reversed(r.history)],
    )


def date_out(meeting: Meeting, shown: str | None = None) -> DateOut:
    d = meeting.date
    return DateOut(kind=d.kind, by=d.by, at=d.at, shown=shown)


def proposal_out(p: Proposal, shown: str | None = None) -> ProposalOut:
    return ProposalOut(
        id=p.id, side=p.side, at=p.at, state=p.state, by=p.by, decided_by=p.decided_by, shown=shown
    )


def revision_out(r: Revision) -> RevisionOut:
    return RevisionOut(
        number=r.number,
        text=r.text,
        html=render.to_html(r.text),
        author=r.author,
        at=r.at,
        published=r.published,
    )


def _member_out(m: Member) -> MemberOut:
    return MemberOut(id=m.id, name=m.name, side=m.side)
