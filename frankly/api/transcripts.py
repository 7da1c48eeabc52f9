"""A dialogue meeting's kept transcript: lines stored as the captioner hands them in, and
read back as text or WebVTT by the members of the sides the meeting was held between.

The signaling plane calls `append` (through mount.py's `meeting_transcripts`)
for each final line of a room that holds a dialogue meeting while a host
keeps the transcript; the room has checked that the sender is its captioner
and named the speaker. The transcript is bounded (MAX_LINES, MAX_CHARACTERS):
a line past either is not stored, and `append` says why, for the room to be
told. Reading is `access.invited`'s: a member of an invited side; others get
the rules' refusals (unknown-dialogue to outsiders, not-invited to other
sides). The text is frankly/transcript.py's, the SDK's formatter.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any, Final, Literal

import anyio.to_thread
from fastapi import APIRouter, Header, Request, Response
from sqlalchemy import Connection, Row, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from frankly.api import records
from frankly.api.errors import ApiCode, ApiError
from frankly.api.service import Service, calling_member, dialogue_for, meeting_in
from frankly.dialogues import access
from frankly.dialogues.model import Meeting
from frankly.rooms import KeptLine
from frankly.storage.schema import meetings, transcript_lines
from frankly.transcript import TranscriptLine, as_text, as_webvtt

if TYPE_CHECKING:
    from frankly.api.routes import Store

# A line every two seconds for ten hours is 18,000; a final line is a few
# seconds of speech, so the characters' cap holds as many lines of about 100
# characters with their English beside. Either is reached only by a meeting
# far longer than any, or a captioner gone wrong.
MAX_LINES: Final = 20_000
MAX_CHARACTERS: Final = 4_000_000
Format = Literal["txt", "vtt"]
CONTENT_TYPES: Final[dict[str, str]] = {
    "txt": "text/plain; charset=utf-8",
    "vtt": "text/vtt; charset=utf-8",
}


def append(service: Service, line: KeptLine) -> str | None:
    """Store `line` with the meeting its room holds; None once stored, else why not.

    The same line of the same captioner again (its English, which follows a
    line in another language) updates the stored one. Two appends never race
    for a number within a room (the room sends one at a time), but a retry
    after a conflict keeps it correct if they ever did.
    """
    for _ in range(3):
        try:
            with service.db.transaction() as tx:
                return _append(tx, line, service.clock())
        except IntegrityError:
            continue  # another line took the number: count again
    return "the transcript could not be stored (a conflict that kept coming back)"


def _append(tx: Connection, line: KeptLine, now: datetime) -> str | None:
    meeting = tx.execute(select(meetings.c.id).where(meetings.c.room == line.room)).scalar()
    if meeting is None:
        return "this room holds no dialogue meeting any more: the transcript is not stored"
    same = (
        transcript_lines.c.meeting == meeting,
        transcript_lines.c.captioner == line.captioner,
        transcript_lines.c.speaker == line.speaker,
        transcript_lines.c.segment == line.segment,
    )
    if tx.execute(select(transcript_lines.c.number).where(*same)).first() is not None:
        tx.execute(update(transcript_lines).where(*same).values(english=line.english))
        return None
    count, characters = records.transcript_size(tx, meeting)
    adding = len(line.text) + len(line.english or "")
    if count >= MAX_LINES or characters + adding > MAX_CHARACTERS:
        return (
            f"the transcript reached its limit ({MAX_LINES} lines or {MAX_CHARACTERS} "
            "characters): later lines are not kept"
        )
    number = tx.execute(
        select(func.coalesce(func.max(transcript_lines.c.number), 0)).where(
            transcript_lines.c.meeting == meeting
        )
    ).scalar_one()
    tx.execute(
        insert(transcript_lines).values(
            meeting=meeting,
            number=int(number) + 1,
            captioner=line.captioner,
            speaker=line.speaker,
            segment=line.segment,
            name=line.name,
            side=line.side,
            language=line.language,
            start=_instant(line.start),
            end=_instant(line.end),
            text=line.text,
            english=line.english,
            stored=now,
        )
    )
    return None


def read(
    service: Service, secret: str | None, dialogue_id: str, meeting_id: str, kind: Format
) -> tuple[Meeting, str]:
    """The meeting and its transcript as `kind`, for a member of a side invited to it."""
    with service.db.read() as tx:
        member = calling_member(tx, secret)
        dialogue_for(tx, member, dialogue_id)
        meeting, _ = meeting_in(tx, dialogue_id, meeting_id)
        access.invited(member, meeting, records.sides_of(tx, dialogue_id))
        rows = tx.execute(
            select(transcript_lines)
            .where(transcript_lines.c.meeting == meeting.id)
            .order_by(transcript_lines.c.start, transcript_lines.c.number)
        ).all()
    if not rows:
        raise ApiError(ApiCode.NO_TRANSCRIPT, "no transcript was kept of this meeting")
    return meeting, written(meeting, rows, kind)


def written(meeting: Meeting, rows: Sequence[Row[Any]], kind: Format) -> str:
    """The rows as people read them: times from the first line's start, each speaker
    named with their side; the text says when that first line was and what the
    meeting was."""
    began: datetime = rows[0].start
    lines = [_line(row, began) for row in rows]
    if kind == "vtt":
        return as_webvtt(lines)
    heading = f"{meeting.topic}\nTranscript from {began.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC\n\n"
    return heading + as_text(lines)


def _line(row: Row[Any], began: datetime) -> TranscriptLine:
    speaker = f"{row.name} ({row.side})" if row.side else row.name
    return TranscriptLine(
        speaker,
        (row.start - began).total_seconds(),
        (row.end - began).total_seconds(),
        row.text,
        row.language,
        row.english,
    )


def _instant(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


# The route.

_Auth = Annotated[str | None, Header(description="Bearer SECRET (the SDK); else the cookie")]
SecretOf = Callable[[Request, str, str | None], str | None]


def routes(store: Store, secret_of: SecretOf) -> APIRouter:
    """The transcript's route, with the caller's secret found as the other routes find it."""
    router = APIRouter()

    @router.get(
        "/dialogues/{dialogue}/meetings/{meeting}/transcript",
        response_class=Response,
        responses={200: {"content": {"text/plain": {}, "text/vtt": {}}}},
    )
    async def transcript(
        dialogue: str,
        meeting: str,
        request: Request,
        format: Format = "txt",
        authorization: _Auth = None,
    ) -> Response:
        service = store.service
        if service is None:
            raise ApiError(ApiCode.NO_DATABASE, "this server keeps no dialogues")
        secret = secret_of(request, dialogue, authorization)
        _, text = await anyio.to_thread.run_sync(
            lambda: read(service, secret, dialogue, meeting, format)
        )
        name = f"transcript-{meeting}.{format}"
        return Response(
            text,
            media_type=CONTENT_TYPES[format],
            headers={"content-disposition": f'inline; filename="{name}"'},
        )

    return router
