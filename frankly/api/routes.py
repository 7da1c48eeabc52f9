"""The REST API under /api/: FastAPI routes over the service, JSON in and out.

A route finds the caller's secret (the `Authorization: Bearer` header the
SDK sends, else the dialogue's cookie the browser keeps), runs one use case
of the service in a worker thread (the store blocks; the event loop never
waits on it), and turns every refusal into `{"error": {"code", "message"}}`
with a fitting status (frankly/api/errors.py). Permissions are the service's and the
rules', from the membership found: nothing in a request names a role.

The request and answer models are schemas.py's; `ApiGuard` (guard.py)
stands in front of the routes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, timedelta
from typing import Annotated, Final, Protocol, TypeVar

import anyio.to_thread
from fastapi import FastAPI, Header, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from frankly.api import entry, transcripts
from frankly.api import service_follow_ups as follow_ups
from frankly.api import service_members as membership
from frankly.api.errors import ApiCode, ApiError, body_of, status_of
from frankly.api.schemas import (
    AppointIn,
    ConfirmIn,
    CreateIn,
    DateOut,
    DeviceIn,
    DeviceLinkOut,
    DeviceOut,
    DialogueOut,
    DraftIn,
    DraftOut,
    ErrorOut,
    FollowUpIn,
    JoinIn,
    LeadIn,
    LinkIn,
    LinkOut,
    MeetingIn,
    MeetingOut,
    PointIn,
    PointOut,
    ProposalOut,
    ProposeIn,
    PublishIn,
    RevisionOut,
    SideLinkOut,
    date_out,
    dialogue_out,
    meeting_out,
    point_out,
    proposal_out,
    revision_out,
)
from frankly.api.service import Joined, Service
from frankly.dialogues import zones
from frankly.dialogues.errors import DialogueError
from frankly.dialogues.ics import CONTENT_TYPE as ICS_TYPE

COOKIE_PREFIX: Final = "frankly_member_"
COOKIE_PATH: Final = "/api/"
CREDENTIAL_HEADER: Final = "x-frankly-credential"  # "bearer": answer with the secret
SECRET_HEADER: Final = "x-frankly-secret"
COOKIE_AGE: Final = 400 * 24 * 3600  # the longest browsers keep one

T = TypeVar("T")


@dataclass
class Store:
    """The service, once the server has opened its database (None until then, or
    when the server runs without one)."""

    service: Service | None = None
    invites: entry.RoomInvites | None = None  # the signaling plane's room invites
    # Told when a member is removed (or leaves), to put them out of a live meeting.
    member_removed: Callable[[str, str], None] = lambda dialogue, member: None


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
    _member_routes(api, run, store)
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


def _member_routes(api: FastAPI, run: _Run, store: Store) -> None:
    """Removing and leaving, the lead, devices and side links (service_members.py)."""

    @api.delete("/dialogues/{dialogue}/members/{member}", status_code=204, response_class=Response)
    async def remove(
        dialogue: str, member: str, request: Request, authorization: _Auth = None
    ) -> Response:
        secret = _secret(request, dialogue, authorization)
        left = await run(lambda s: membership.remove(s, secret, dialogue, member))
        store.member_removed(dialogue, member)
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
