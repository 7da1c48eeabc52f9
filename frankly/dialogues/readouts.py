"""A side's readout of a meeting: revisions saved against a base, and publishing.

Every save is a new revision, numbered, with its author and time. A save
names the revision it was edited from (`base`, 0 for the first); when
another save came in between, it is refused with stale-revision carrying
the newer revision's number and text for the editor to merge, so two
members saving at once never lose text. Publishing marks the latest revision
published; a published revision never changes. A correction is a new
revision, published in its turn: the history keeps both.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from frankly.dialogues import access
from frankly.dialogues.errors import DialogueCode, DialogueError
from frankly.dialogues.model import Member, Readout, Revision, Side, require_utc
from frankly.dialogues.texts import READOUT_MAX_BYTES, clean_body


def clean_readout(text: str) -> str:
    return clean_body(text, "a readout", READOUT_MAX_BYTES)


def save(
    readout: Readout, side: Side, member: Member | None, base: int, text: str, now: datetime
) -> Readout:
    """`readout` with a new draft revision of `text` by `member`, edited from revision `base`."""
    author = access.of_side(member, side)
    cleaned = clean_readout(text)
    _current(readout, base)
    number = len(readout.revisions) + 1
    revision = Revision(number, cleaned, author.id, require_utc(now, "now"))
    return replace(readout, revisions=(*readout.revisions, revision))


def publish(readout: Readout, side: Side, member: Member | None, number: int) -> Readout:
    """`readout` with revision `number`, which must be the latest, published by the lead."""
    access.lead_of(member, side)
    if not 1 <= number <= len(readout.revisions):
        raise DialogueError(DialogueCode.UNKNOWN_REVISION, f"this readout has no revision {number}")
    _current(readout, number)
    latest = readout.revisions[-1]
    if latest.published:
        raise DialogueError(
            DialogueCode.ALREADY_PUBLISHED,
            f"revision {number} is published; save a correction and publish that",
        )
    return replace(readout, revisions=(*readout.revisions[:-1], replace(latest, published=True)))


def published(readout: Readout) -> Revision | None:
    """The revision every member sees: the latest published one."""
    return next((r for r in reversed(readout.revisions) if r.published), None)


def history(readout: Readout) -> tuple[Revision, ...]:
    """Every published revision, oldest first: what was said, and each correction."""
    return tuple(r for r in readout.revisions if r.published)


def _current(readout: Readout, base: int) -> None:
    latest = readout.latest
    number = latest.number if latest else 0
    if base == number:
        return
    raise DialogueError(
        DialogueCode.STALE_REVISION,
        f"revision {number} was saved since revision {base}; merge your text into it",
        {"number": number, "text": latest.text if latest else ""},
    )
