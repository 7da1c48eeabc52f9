"""The routes of public readouts and comments, included in the API by mount.py.

Readers call `/api/public/...` with no credential: the readout's page, a
challenge of the human check, and a comment. Comments always need a solved
challenge, whether or not the server was started with --human-check (which
is about rooms): `GET /api/public/challenge` always hands one out, from the
same `HumanCheck` as `/challenge` when the server has one (a proof is good
once, on either), else from one of the API's own with the same settings and
key. The proof is verified here, on the event loop, where the rooms verify
theirs, before the service (in a worker thread) stores anything.

The side's members and lead call the rest under the dialogue, with their
credential as every other route of routes.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import anyio.to_thread
from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field
from starlette.datastructures import Headers

from frankly.api.errors import ApiCode, ApiError
from frankly.api.public import Public, PublicReadout
from frankly.api.routes import Store, _Auth, _secret
from frankly.api.schemas import DateOut, RevisionOut, date_out, revision_out
from frankly.dialogues import render
from frankly.dialogues.comments import Comment
from frankly.dialogues.words import CommentState
from frankly.protocol.errors import Code, ProtocolError
from frankly.server.addresses import BadForwardedFor, client_address
from frankly.server.humancheck import HumanCheck

T = TypeVar("T")

_SIDE = "/dialogues/{dialogue}/meetings/{meeting}/readouts/{side}"


@dataclass(frozen=True)
class PublicChecks:
    """What guards readers' comments: the human check, the key of addresses' HMACs,
    and whether X-Forwarded-For names the reader (--trust-proxy)."""

    human: HumanCheck
    address_key: bytes
    trust_proxy: bool = False


class PublicIn(BaseModel):
    public: bool


class PublicOut(BaseModel):
    public: bool
    url: str | None = Field(description="the public page, /readouts/{readout id}, when public")


class CommentIn(BaseModel):
    name: str | None = Field(None, max_length=1000, description="optional; else anonymous")
    text: str = Field(max_length=100_000, description="plain text or Markdown, at most 4 KB")
    proof: str | None = Field(
        None, max_length=4000, description="a solved GET /api/public/challenge (ALTCHA)"
    )


class HeldOut(BaseModel):
    id: str
    state: CommentState


class CommentOut(BaseModel):
    id: str
    name: str | None
    text: str
    html: str = Field(description="the Markdown rendered so that it runs no script")
    at: datetime


class ModeratedOut(CommentOut):
    state: CommentState


class PublicReadoutOut(BaseModel):
    id: str
    dialogue: str = Field(description="the dialogue's title")
    topic: str
    side: str = Field(description="the side's name")
    date: DateOut
    revisions: list[RevisionOut] = Field(description="published, newest first")
    comments: list[CommentOut] = Field(description="approved, oldest first")


class ChallengeOut(BaseModel):
    algorithm: str
    challenge: str
    salt: str
    signature: str
    maxnumber: int


def public_router(store: Store, checks: PublicChecks) -> APIRouter:
    router = APIRouter()

    async def run(call: Callable[[Public], T]) -> T:
        service = store.service
        if service is None:
            raise ApiError(ApiCode.NO_DATABASE, "this server keeps no dialogues")
        public = Public(service, checks.address_key)
        return await anyio.to_thread.run_sync(call, public)

    @router.put(f"{_SIDE}/public", response_model=PublicOut)
    async def set_public(
        dialogue: str,
        meeting: str,
        side: str,
        body: PublicIn,
        request: Request,
        authorization: _Auth = None,
    ) -> PublicOut:
        secret = _secret(request, dialogue, authorization)
        done = await run(lambda p: p.set_public(secret, dialogue, meeting, side, body.public))
        return PublicOut(public=done.public, url=done.url)

    @router.get(f"{_SIDE}/comments", response_model=list[ModeratedOut])
    async def comments(
        dialogue: str, meeting: str, side: str, request: Request, authorization: _Auth = None
    ) -> list[ModeratedOut]:
        secret = _secret(request, dialogue, authorization)
        found = await run(lambda p: p.comments(secret, dialogue, meeting, side))
        return [moderated_out(c) for c in found]

    @router.post(f"{_SIDE}/comments/{{comment}}/approve", response_model=ModeratedOut)
    async def approve(
        dialogue: str,
        meeting: str,
        side: str,
        comment: str,
        request: Request,
        authorization: _Auth = None,
    ) -> ModeratedOut:
        secret = _secret(request, dialogue, authorization)
        done = await run(lambda p: p.approve(secret, dialogue, meeting, side, comment))
        return moderated_out(done)

    @router.delete(f"{_SIDE}/comments/{{comment}}", status_code=204, response_class=Response)
    async def reject(
        dialogue: str,
        meeting: str,
        side: str,
        comment: str,
        request: Request,
        authorization: _Auth = None,
    ) -> Response:
        secret = _secret(request, dialogue, authorization)
        await run(lambda p: p.reject(secret, dialogue, meeting, side, comment))
        return Response(status_code=204)

    @router.get("/public/challenge", response_model=ChallengeOut)
    async def challenge() -> dict[str, Any]:
        return checks.human.challenge()

    @router.get("/public/readouts/{readout}", response_model=PublicReadoutOut)
    async def read(readout: str) -> PublicReadoutOut:
        return public_readout_out(await run(lambda p: p.page(readout)))

    @router.post("/public/readouts/{readout}/comments", status_code=202, response_model=HeldOut)
    async def comment(readout: str, body: CommentIn, request: Request) -> HeldOut:
        _verify(checks.human, body.proof)
        address = _address(request, checks.trust_proxy)
        made = await run(lambda p: p.comment(readout, body.name, body.text, address))
        return HeldOut(id=made.id, state=made.state)

    return router


def _verify(human: HumanCheck, proof: str | None) -> None:
    """The proof, once, or the rooms' refusal as the API's own."""
    try:
        human.verify(proof, time.time())
    except ProtocolError as exc:
        if exc.code == Code.HUMAN_CHECK_REQUIRED:
            raise ApiError(
                ApiCode.HUMAN_CHECK_REQUIRED,
                "a comment needs a human check: solve GET /api/public/challenge, "
                "send it as 'proof'",
            ) from None
        raise ApiError(ApiCode.HUMAN_CHECK_FAILED, exc.message) from None


def _address(request: Request, trust_proxy: bool) -> str:
    peer = request.client.host if request.client is not None else None
    try:
        return client_address(peer, Headers(scope=request.scope), trust_proxy)
    except BadForwardedFor as exc:
        why = f"{exc}; is the reverse proxy set up right?"
        raise ApiError(ApiCode.INVALID_REQUEST, why) from None


# Records to answers.


def comment_out(c: Comment) -> CommentOut:
    return CommentOut(id=c.id, name=c.name, text=c.text, html=render.to_html(c.text), at=c.at)


def moderated_out(c: Comment) -> ModeratedOut:
    return ModeratedOut(
        id=c.id, name=c.name, text=c.text, html=render.to_html(c.text), at=c.at, state=c.state
    )


def public_readout_out(page: PublicReadout) -> PublicReadoutOut:
    # Who wrote a revision is a member of the dialogue: not shown to readers.
    return PublicReadoutOut(
        id=page.id,
        dialogue=page.title,
        topic=page.meeting.topic,
        side=page.side,
        date=date_out(page.meeting),
        revisions=[revision_out(r).model_copy(update={"author": ""}) for r in page.revisions],
        comments=[comment_out(c) for c in page.comments],
    )
