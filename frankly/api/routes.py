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
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Final, TypeVar

import anyio.to_thread
from fastapi import FastAPI, Header, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from frankly.api import entry
from frankly.api.errors import ApiCode, ApiError, body_of, status_of
from frankly.api.public_records import PublishedReadout, page_url
from frankly.api.service import DialogueView, Joined, MeetingView, Service
from frankly.dialogues import render, zones
from frankly.dialogues.errors import DialogueError
from frankly.dialogues.ics import CONTENT_TYPE as ICS_TYPE
from frankly.dialogues.model import Meeting, Member, Proposal, Revision
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


class ProposeIn(BaseModel):
    at: datetime = Field(description="the proposed start, an instant (UTC: ...Z)")


class DraftIn(BaseModel):
    base: int = Field(ge=0, description="the revision edited from; 0 for the first")
    text: str


class PublishIn(BaseModel):
    number: int = Field(ge=1)


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


class MeetingOut(BaseModel):
    id: str
    topic: str
    agenda: str
    follows: str | None
    date: DateOut
    room: str
    sides: list[str]
    proposals: list[ProposalOut] = []
    readouts: list[ReadoutOut] = Field([], description="each side's latest published readout")


class DialogueOut(BaseModel):
    id: str
    title: str
    convener: str | None
    created: datetime
    you: YouOut
    sides: list[SideOut]
    members: list[MemberOut]
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
                secret, dialogue, body.topic, body.agenda, body.date.kind, body.date.by
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

    return api


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
        proposals=[proposal_out(p, shown(p.at)) for p in view.proposals],
        readouts=[readout_out(r) for r in view.readouts],
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
