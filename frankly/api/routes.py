"""The REST API under /api/: FastAPI routes over the service, JSON in and out.

The pydantic models below validate each request and describe each answer,
and /api/openapi.json is generated from the same models. A route finds the
caller's secret (the `Authorization: Bearer` header the SDK sends, else the
dialogue's cookie the browser keeps), runs one use case of the service in a
worker thread (the store blocks; the event loop never waits on it), and
turns every refusal into `{"error": {"code", "message"}}` with a fitting
status (frankly/api/errors.py). Permissions are the service's and the
rules', from the membership found: nothing in a request names a role.

`ApiGuard` stands in front of the routes: a change (any method but GET,
HEAD, OPTIONS) sent with an Origin of another site is refused (the cookie is
SameSite=Strict already; this holds for browsers that ignore it too), and a
request body over BODY_MAX is refused before it is parsed.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Final, Protocol, TypeVar

import anyio.to_thread
from fastapi import FastAPI, Header, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from frankly.api import entry, transcripts
from frankly.api import service_follow_ups as follow_ups
from frankly.api import service_members as membership
from frankly.api.errors import ApiCode, ApiError, body_of, status_of
from frankly.api.public_records import PublishedReadout, page_url
from frankly.api.service import DialogueView, Joined, MeetingView, Service
from frankly.dialogues import points, render, zones
from frankly.dialogues.errors import DialogueError
from frankly.dialogues.ics import CONTENT_TYPE as ICS_TYPE
from frankly.dialogues.meetings import MINUTES_DEFAULT, MINUTES_MAX, MINUTES_MIN
from frankly.dialogues.model import AgreedPoint, Meeting, Member, Proposal, Revision
from frankly.dialogues.words import DateKind, ProposalState

COOKIE_PREFIX: Final = "frankly_member_"
COOKIE_PATH: Final = "/api/"
CREDENTIAL_HEADER: Final = "x-frankly-credential"  # "bearer": answer with the secret
SECRET_HEADER: Final = "x-frankly-secret"
COOKIE_AGE: Final = 400 * 24 * 3600  # the longest browsers keep one
BODY_MAX: Final = 256 * 1024  # a readout is at most 100 KB; JSON escapes may double it
_SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})

T = TypeVar("T")


@dataclass
class Store:
    """The service, once the server has opened its database (None until then, or
    when the server runs without one)."""

    service: Service | None = None
    invites: entry.RoomInvites | None = None  # the signaling plane's room invites


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


_REFUSALS: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorOut} for status in (400, 401, 403, 404, 409, 413)
}


def make_api(store: Store) -> FastAPI:
    api = FastAPI(
        title="Frankly dialogues",
        version="1",
        openapi_url="/openapi.json",
        docs_url=None,
        redoc_url=None,
        responses=_REFUSALS,
    )
    _handlers(api)
    api.include_router(entry.routes(store, _secret))
    api.include_router(transcripts.routes(store, _secret))

    async def run(call: Callable[[Service], T]) -> T:
        service = store.service
        if service is None:
            raise ApiError(ApiCode.NO_DATABASE, "this server keeps no dialogues")
        return await anyio.to_thread.run_sync(call, service)

    @api.post("/dialogues", status_code=201, response_model=DialogueOut)
    async def create(body: CreateIn, request: Request, response: Response) -> DialogueOut:
        sides = [(s.name, s.zone) for s in body.sides]
        view, joined = await run(lambda s: s.create(body.title, sides, body.side, body.name))
        _set_cookie(response, request, view.dialogue.id, joined)
        return dialogue_out(view, None)

    @api.get("/dialogues/{dialogue}", response_model=DialogueOut)
    async def read(
        dialogue: str, request: Request, authorization: _Auth = None, zone: str | None = None
    ) -> DialogueOut:
        if zone is not None:
            zones.check_zone(zone)
        secret = _secret(request, dialogue, authorization)
        return dialogue_out(await run(lambda s: s.read(secret, dialogue)), zone)

    @api.post("/dialogues/{dialogue}/sides/{side}/links", status_code=201, response_model=LinkOut)
    async def link(
        dialogue: str, side: str, body: LinkIn, request: Request, authorization: _Auth = None
    ) -> LinkOut:
        secret = _secret(request, dialogue, authorization)
        ttl = timedelta(hours=body.hours)
        made = await run(lambda s: s.side_link(secret, dialogue, side, body.lead, ttl))
        return LinkOut(
            invite=made.invite,
            side=made.side,
            lead=made.lead,
            token=made.token,
            expires=made.expires,
        )

    @api.post("/join", status_code=201, response_model=DialogueOut)
    async def join(body: JoinIn, request: Request, response: Response) -> DialogueOut:
        view, joined = await run(lambda s: s.join(body.token, body.name))
        _set_cookie(response, request, view.dialogue.id, joined)
        return dialogue_out(view, None)

    @api.post("/dialogues/{dialogue}/meetings", status_code=201, response_model=MeetingOut)
    async def meeting(
        dialogue: str, body: MeetingIn, request: Request, authorization: _Auth = None
    ) -> MeetingOut:
        secret = _secret(request, dialogue, authorization)
        made = await run(
            lambda s: s.create_meeting(
                secret,
                dialogue,
                body.topic,
                body.agenda,
                body.date.kind,
                body.date.by,
                body.minutes,
                body.sides,
            )
        )
        return meeting_out(made)

    @api.post(
        "/dialogues/{dialogue}/meetings/{meeting}/proposals",
        status_code=201,
        response_model=ProposalOut,
    )
    async def propose(
        dialogue: str, meeting: str, body: ProposeIn, request: Request, authorization: _Auth = None
    ) -> ProposalOut:
        secret = _secret(request, dialogue, authorization)
        at = body.at.astimezone(UTC) if body.at.tzinfo is not None else body.at
        return proposal_out(await run(lambda s: s.propose(secret, dialogue, meeting, at)))

    @api.post(
        "/dialogues/{dialogue}/meetings/{meeting}/proposals/{proposal}/accept",
        response_model=DateOut,
    )
    async def accept(
        dialogue: str, meeting: str, proposal: str, request: Request, authorization: _Auth = None
    ) -> DateOut:
        secret = _secret(request, dialogue, authorization)
        done = await run(lambda s: s.accept(secret, dialogue, meeting, proposal))
        return date_out(done)

    @api.post(
        "/dialogues/{dialogue}/meetings/{meeting}/proposals/{proposal}/decline",
        response_model=ProposalOut,
    )
    async def decline(
        dialogue: str, meeting: str, proposal: str, request: Request, authorization: _Auth = None
    ) -> ProposalOut:
        secret = _secret(request, dialogue, authorization)
        return proposal_out(await run(lambda s: s.decline(secret, dialogue, meeting, proposal)))

    @api.post(
        "/dialogues/{dialogue}/meetings/{meeting}/proposals/{proposal}/withdraw",
        response_model=ProposalOut,
    )
    async def withdraw(
        dialogue: str, meeting: str, proposal: str, request: Request, authorization: _Auth = None
    ) -> ProposalOut:
        secret = _secret(request, dialogue, authorization)
        return proposal_out(await run(lambda s: s.withdraw(secret, dialogue, meeting, proposal)))

    @api.get(
        "/dialogues/{dialogue}/meetings/{meeting}/calendar.ics",
        response_class=Response,
        responses={200: {"content": {"text/calendar": {}}}},
    )
    async def calendar(
        dialogue: str, meeting: str, request: Request, authorization: _Auth = None
    ) -> Response:
        secret = _secret(request, dialogue, authorization)
        base = _site(request)
        text = await run(lambda s: s.calendar(secret, dialogue, meeting, base))
        return Response(
            text,
            media_type=ICS_TYPE,
            headers={"content-disposition": f'attachment; filename="{meeting}.ics"'},
        )

    @api.put(
        "/dialogues/{dialogue}/meetings/{meeting}/readouts/{side}/draft",
        status_code=201,
        response_model=RevisionOut,
    )
    async def save(
        dialogue: str,
        meeting: str,
        side: str,
        body: DraftIn,
        request: Request,
        authorization: _Auth = None,
    ) -> RevisionOut:
        secret = _secret(request, dialogue, authorization)
        return revision_out(
            await run(lambda s: s.save_draft(secret, dialogue, meeting, side, body.base, body.text))
        )

    @api.get(
        "/dialogues/{dialogue}/meetings/{meeting}/readouts/{side}/draft", response_model=DraftOut
    )
    async def draft(
        dialogue: str, meeting: str, side: str, request: Request, authorization: _Auth = None
    ) -> DraftOut:
        secret = _secret(request, dialogue, authorization)
        found = await run(lambda s: s.draft(secret, dialogue, meeting, side))
        return DraftOut(side=found.side, revisions=[revision_out(r) for r in found.revisions])

    @api.post(
        "/dialogues/{dialogue}/meetings/{meeting}/readouts/{side}/publish",
        response_model=RevisionOut,
    )
    async def publish(
        dialogue: str,
        meeting: str,
        side: str,
        body: PublishIn,
        request: Request,
        authorization: _Auth = None,
    ) -> RevisionOut:
        secret = _secret(request, dialogue, authorization)
        return revision_out(
            await run(lambda s: s.publish(secret, dialogue, meeting, side, body.number))
        )

    _follow_up_routes(api, run)
    _member_routes(api, run)
    return api


class _Run(Protocol):
    """make_api's `run`: one use case of the service in a worker thread."""

    def __call__(self, call: Callable[[Service], T], /) -> Awaitable[T]: ...


def _follow_up_routes(api: FastAPI, run: _Run) -> None:
    """Follow-ups, representatives and agreed points (frankly/api/service_follow_ups.py)."""

    @api.post(
        "/dialogues/{dialogue}/meetings/{meeting}/follow-ups",
        status_code=201,
        response_model=MeetingOut,
    )
    async def follow_up(
        dialogue: str, meeting: str, body: FollowUpIn, request: Request, authorization: _Auth = None
    ) -> MeetingOut:
        secret = _secret(request, dialogue, authorization)
        d = body.date
        made = await run(
            lambda s: follow_ups.follow_up(
                s, secret, dialogue, meeting, body.topic, body.agenda, d.kind, d.by, body.minutes
            )
        )
        return meeting_out(made)

    @api.post(
        "/dialogues/{dialogue}/meetings/{meeting}/representatives",
        status_code=201,
        response_model=MeetingOut,
    )
    async def appoint(
        dialogue: str, meeting: str, body: AppointIn, request: Request, authorization: _Auth = None
    ) -> MeetingOut:
        secret = _secret(request, dialogue, authorization)
        done = await run(
            lambda s: follow_ups.appoint(s, secret, dialogue, meeting, body.member, body.topic)
        )
        return meeting_out(done)

    @api.delete(
        "/dialogues/{dialogue}/meetings/{meeting}/representatives/{member}",
        response_model=MeetingOut,
    )
    async def unappoint(
        dialogue: str, meeting: str, member: str, request: Request, authorization: _Auth = None
    ) -> MeetingOut:
        secret = _secret(request, dialogue, authorization)
        done = await run(lambda s: follow_ups.unappoint(s, secret, dialogue, meeting, member))
        return meeting_out(done)

    @api.post(
        "/dialogues/{dialogue}/meetings/{meeting}/points", status_code=201, response_model=PointOut
    )
    async def draft_point(
        dialogue: str, meeting: str, body: PointIn, request: Request, authorization: _Auth = None
    ) -> PointOut:
        secret = _secret(request, dialogue, authorization)
        made, held = await run(
            lambda s: follow_ups.draft_point(s, secret, dialogue, meeting, body.text)
        )
        return point_out(made, held)

    @api.post(
        "/dialogues/{dialogue}/meetings/{meeting}/points/{point}/confirm", response_model=PointOut
    )
    async def confirm_point(
        dialogue: str,
        meeting: str,
        point: str,
        request: Request,
        body: ConfirmIn | None = None,
        authorization: _Auth = None,
    ) -> PointOut:
        secret = _secret(request, dialogue, authorization)
        side = body.side if body is not None else None
        done, held = await run(
            lambda s: follow_ups.confirm_point(s, secret, dialogue, meeting, point, side)
        )
        return point_out(done, held)


def _member_routes(api: FastAPI, run: _Run) -> None:
    """Removing and leaving, the lead, devices and side links (service_members.py)."""

    @api.delete("/dialogues/{dialogue}/members/{member}", status_code=204, response_class=Response)
    async def remove(
        dialogue: str, member: str, request: Request, authorization: _Auth = None
    ) -> Response:
        secret = _secret(request, dialogue, authorization)
        left = await run(lambda s: membership.remove(s, secret, dialogue, member))
        response = Response(status_code=204)
        if left and authorization is None:  # this browser's cookie works no more: drop it
            response.delete_cookie(COOKIE_PREFIX + dialogue, path=COOKIE_PATH)
        return response

    @api.post("/dialogues/{dialogue}/sides/{side}/lead", response_model=DialogueOut)
    async def hand_lead(
        dialogue: str, side: str, body: LeadIn, request: Request, authorization: _Auth = None
    ) -> DialogueOut:
        secret = _secret(request, dialogue, authorization)
        view = await run(lambda s: membership.hand_lead(s, secret, dialogue, side, body.member))
        return dialogue_out(view, None)

    @api.post("/dialogues/{dialogue}/devices", status_code=201, response_model=DeviceLinkOut)
    async def device_link(
        dialogue: str, request: Request, authorization: _Auth = None
    ) -> DeviceLinkOut:
        secret = _secret(request, dialogue, authorization)
        made = await run(lambda s: membership.device_link(s, secret, dialogue))
        return DeviceLinkOut(token=made.token, expires=made.expires)

    @api.post("/devices", status_code=201, response_model=DialogueOut)
    async def claim_device(body: DeviceIn, request: Request, response: Response) -> DialogueOut:
        view, joined = await run(lambda s: membership.claim_device(s, body.token, body.device))
        _set_cookie(response, request, view.dialogue.id, joined)
        return dialogue_out(view, None)

    @api.get("/dialogues/{dialogue}/devices", response_model=list[DeviceOut])
    async def devices(
        dialogue: str, request: Request, authorization: _Auth = None
    ) -> list[DeviceOut]:
        secret = _secret(request, dialogue, authorization)
        found = await run(lambda s: membership.devices(s, secret, dialogue))
        return [
            DeviceOut(id=d.id, device=d.device, created=d.created, current=d.current) for d in found
        ]

    @api.delete("/dialogues/{dialogue}/devices/{device}", status_code=204, response_class=Response)
    async def revoke_device(
        dialogue: str, device: str, request: Request, authorization: _Auth = None
    ) -> Response:
        secret = _secret(request, dialogue, authorization)
        await run(lambda s: membership.revoke_device(s, secret, dialogue, device))
        return Response(status_code=204)

    @api.get("/dialogues/{dialogue}/sides/{side}/links", response_model=list[SideLinkOut])
    async def links(
        dialogue: str, side: str, request: Request, authorization: _Auth = None
    ) -> list[SideLinkOut]:
        secret = _secret(request, dialogue, authorization)
        found = await run(lambda s: membership.links(s, secret, dialogue, side))
        return [
            SideLinkOut(
                invite=k.invite,
                side=k.side,
                lead=k.lead,
                created=k.created,
                expires=k.expires,
                revoked=k.revoked,
            )
            for k in found
        ]

    @api.delete(
        "/dialogues/{dialogue}/sides/{side}/links/{invite}",
        status_code=204,
        response_class=Response,
    )
    async def revoke_link(
        dialogue: str, side: str, invite: str, request: Request, authorization: _Auth = None
    ) -> Response:
        secret = _secret(request, dialogue, authorization)
        await run(lambda s: membership.revoke_link(s, secret, dialogue, side, invite))
        return Response(status_code=204)


_Auth = Annotated[str | None, Header(description="Bearer SECRET (the SDK); else the cookie")]


def _secret(request: Request, dialogue: str, authorization: str | None) -> str | None:
    if authorization is not None:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise ApiError(ApiCode.UNAUTHENTICATED, "Authorization is 'Bearer SECRET'")
        return value.strip()
    return request.cookies.get(COOKIE_PREFIX + dialogue)


def _set_cookie(response: Response, request: Request, dialogue: str, joined: Joined) -> None:
    """The member's secret, for this browser: script cannot read it, other sites' pages
    cannot send it, and it goes only to the API (over TLS only when the server has it)."""
    if request.headers.get(CREDENTIAL_HEADER, "").lower() == "bearer":
        # The SDK asked for a bearer secret: it gets it in a header, and no cookie.
        # A browser never asks, so its pages' script never sees a member's secret.
        response.headers[SECRET_HEADER] = joined.secret
        return
    response.set_cookie(
        COOKIE_PREFIX + dialogue,
        joined.secret,
        max_age=COOKIE_AGE,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def _site(request: Request) -> str:
    """This server's address as the caller reached it (Edge has checked its Host)."""
    return f"{request.url.scheme}://{request.url.netloc}"


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


# Refusals.


def _handlers(api: FastAPI) -> None:
    async def refused(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, DialogueError | ApiError)
        return JSONResponse(body_of(exc), status_code=status_of(exc))

    async def invalid(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}"
            for e in exc.errors()
        )
        error = ApiError(ApiCode.INVALID_REQUEST, problems[:500] or "this request is not valid")
        return JSONResponse(body_of(error), status_code=status_of(error))

    async def http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        error = ApiError(ApiCode.INVALID_REQUEST, str(exc.detail))
        return JSONResponse(body_of(error), status_code=exc.status_code)

    api.add_exception_handler(DialogueError, refused)
    api.add_exception_handler(ApiError, refused)
    api.add_exception_handler(RequestValidationError, invalid)
    api.add_exception_handler(StarletteHTTPException, http)


class ApiGuard:
    """Refuses, before the routes: a change from another site's page, an oversized body."""

    def __init__(self, app: ASGIApp, origin_ok: Callable[[str, str], bool]) -> None:
        self.app = app
        self.origin_ok = origin_ok

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if (
            scope["method"] not in _SAFE_METHODS
            and origin is not None
            and not self.origin_ok(origin, headers.get("host", ""))
        ):
            error = ApiError(ApiCode.FOREIGN_ORIGIN, "changes come from this server's own pages")
            await _answer(send, error)
            return
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > BODY_MAX):
            await _answer(send, _too_large())
            return
        body = await _read_body(receive)
        if body is None:
            await _answer(send, _too_large())
            return
        await self.app(scope, _replay(body, receive), send)


def _too_large() -> ApiError:
    return ApiError(ApiCode.TOO_LARGE, f"a request is at most {BODY_MAX // 1024} KiB")


async def _read_body(receive: Receive) -> bytes | None:
    """The whole body (None when over BODY_MAX), so that a chunked upload is bounded too."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > BODY_MAX:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return again


async def _answer(send: Send, error: ApiError) -> None:
    body = json.dumps(body_of(error)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status_of(error),
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
