"""Public readouts and their readers' comments: each use case in one transaction. No HTTP.

A side's lead makes the side's readout of a meeting public (or not); then
anyone may read its published revisions and the comments its lead approved,
by the readout's id alone, and nothing else of the dialogue: no members, no
other meeting, no draft. A readout that is not public, or that has nothing
published yet, is unknown-readout exactly as an id that does not exist.

A reader's comment comes with a solved human check (the route verifies it
before this service runs) and is held until the side's lead approves it; the
lead may also reject it, which deletes it. Each address may leave
COMMENTS_PER_WINDOW comments in COMMENT_WINDOW: the service counts the
stored comments of that address, so the limit survives a restart. The
address is kept only as HMAC-SHA256 under a key in the data directory
(ADDRESS_KEY_FILE): a plain hash of an IPv4 address is undone by trying all
2^32, the keyed one only by whoever holds the key too.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Final, TypeVar

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from frankly.api import public_records, records
from frankly.api.errors import ApiCode, ApiError
from frankly.api.public_records import PublishedReadout, page_url
from frankly.api.service import Service, calling_member, dialogue_for, meeting_in, side_in
from frankly.dialogues import access, comments
from frankly.dialogues.comments import Comment
from frankly.dialogues.model import Meeting, Member, Revision, Side
from frankly.storage.ids import COMMENT, READOUT, new_id

ADDRESS_KEY_FILE: Final = "comment-address.key"
COMMENTS_PER_WINDOW: Final = 5
COMMENT_WINDOW: Final = timedelta(hours=1)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Visibility:
    readout: str
    public: bool
    url: str | None


@dataclass(frozen=True, slots=True)
class PublicReadout:
    """All a reader sees: the dialogue's title, the meeting, the side, what it published."""

    id: str
    title: str
    meeting: Meeting
    side: str  # the side's name
    revisions: tuple[Revision, ...]  # published, newest first
    comments: tuple[Comment, ...]  # approved, oldest first


def address_hash(key: bytes, address: str) -> str:
    """What the comments table keeps of a reader's address group: its HMAC, in hex."""
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()


class Public:
    def __init__(
        self,
        service: Service,
        address_key: bytes,
        limit: int = COMMENTS_PER_WINDOW,
        window: timedelta = COMMENT_WINDOW,
    ) -> None:
        # The service's database and clock, read at each call (tests move the clock).
        self.service = service
        self._key = address_key
        self.limit = limit
        self.window = window

    # The side's lead.

    def set_public(
        self, secret: str | None, dialogue_id: str, meeting_id: str, side_id: str, public: bool
    ) -> Visibility:
        try:
            return self._set_public(secret, dialogue_id, meeting_id, side_id, public)
        except IntegrityError:  # the readout's row was made meanwhile by a first save
            return self._set_public(secret, dialogue_id, meeting_id, side_id, public)

    def comments(
        self, secret: str | None, dialogue_id: str, meeting_id: str, side_id: str
    ) -> list[Comment]:
        """Every comment under the side's readout, held ones too: for that side's members."""
        with self.service.db.read() as tx:
            member, _, side = self._on_side(tx, secret, dialogue_id, meeting_id, side_id)
            access.of_side(member, side)
            row = public_records.readout_of(tx, meeting_id, side_id)
            if row is None:
                return []
            return public_records.comments_of(tx, row.id, approved_only=False)

    def approve(
        self, secret: str | None, dialogue_id: str, meeting_id: str, side_id: str, comment_id: str
    ) -> Comment:
        now = self.service.clock()

        def change(tx: Connection, lead: Member, found: Comment) -> Comment:
            if found.state != "approved":
                public_records.approve(tx, found.id, lead.id, now)
            shown = public_records.comment(tx, found.id)
            assert shown is not None
            return shown

        return self._moderate(secret, dialogue_id, meeting_id, side_id, comment_id, change)

    def reject(
        self, secret: str | None, dialogue_id: str, meeting_id: str, side_id: str, comment_id: str
    ) -> None:
        def change(tx: Connection, lead: Member, found: Comment) -> None:
            public_records.delete_comment(tx, found.id)

        self._moderate(secret, dialogue_id, meeting_id, side_id, comment_id, change)

    # Readers: no credential.

    def page(self, readout_id: str) -> PublicReadout:
        with self.service.db.read() as tx:
            return self._page(tx, readout_id)

    def comment(self, readout_id: str, name: str | None, text: str, address: str) -> Comment:
        """A reader's comment, held for the lead; the route has checked the human proof."""
        now = self.service.clock()
        shown_name = comments.clean_commenter(name)
        cleaned = comments.clean_comment(text)
        hashed = address_hash(self._key, address)
        with self.service.db.transaction() as tx:
            self._page(tx, readout_id)  # public, with something published
            public_records.hold_address(tx, hashed)
            if public_records.sent_since(tx, hashed, now - self.window) >= self.limit:
                minutes = int(self.window.total_seconds() // 60)
                raise ApiError(
                    ApiCode.RATE_LIMITED,
                    f"at most {self.limit} comments in {minutes} minutes from one address; "
                    "try again later",
                )
            made = Comment(new_id(COMMENT), readout_id, shown_name, cleaned, "held", now)
            public_records.add_comment(tx, made, hashed)
            return made

    # Helpers.

    def _set_public(
        self, secret: str | None, dialogue_id: str, meeting_id: str, side_id: str, public: bool
    ) -> Visibility:
        now = self.service.clock()
        with self.service.db.transaction() as tx:
            member, _, side = self._on_side(tx, secret, dialogue_id, meeting_id, side_id)
            access.lead_of(member, side)
            row = public_records.readout_of(tx, meeting_id, side_id)
            readout_id = row.id if row is not None else new_id(READOUT)
            if row is None:  # public before its first save: the page shows it once published
                records.add_readout(tx, readout_id, meeting_id, side_id, now)
            public_records.set_public(tx, readout_id, public)
        return Visibility(readout_id, public, page_url(readout_id) if public else None)

    def _page(self, tx: Connection, readout_id: str) -> PublicReadout:
        row = public_records.readout_row(tx, readout_id)
        if row is None or not row.public:
            raise _unknown_readout()
        found = records.meeting(tx, row.meeting)
        dialogue = records.dialogue(tx, found[0].dialogue) if found else None
        side = records.sides_of(tx, found[0].dialogue).get(row.side) if found else None
        if found is None or dialogue is None or side is None:
            raise _unknown_readout()
        meeting = found[0]
        published = next(
            (p for p in public_records.published_of(tx, meeting) if p.id == readout_id), None
        )
        if published is None:
            raise _unknown_readout()
        return PublicReadout(
            readout_id,
            dialogue.title,
            meeting,
            side.name,
            tuple(reversed(published.history)),
            tuple(public_records.comments_of(tx, readout_id, approved_only=True)),
        )

    def _moderate(
        self,
        secret: str | None,
        dialogue_id: str,
        meeting_id: str,
        side_id: str,
        comment_id: str,
        change: Callable[[Connection, Member, Comment], T],
    ) -> T:
        """One change to a comment under the side's readout, by that side's lead."""
        with self.service.db.transaction() as tx:
            member, _, side = self._on_side(tx, secret, dialogue_id, meeting_id, side_id)
            lead = access.lead_of(member, side)
            row = public_records.readout_of(tx, meeting_id, side_id)
            found = public_records.comment(tx, comment_id)
            if row is None or found is None or found.readout != row.id:
                raise ApiError(ApiCode.UNKNOWN_COMMENT, "no such comment under this readout")
            return change(tx, lead, found)

    def _on_side(
        self, tx: Connection, secret: str | None, dialogue_id: str, meeting_id: str, side_id: str
    ) -> tuple[Member, Meeting, Side]:
        """The caller, the meeting and the side a request names, each checked to be of
        the dialogue, which must be the caller's (unknown-dialogue to an outsider)."""
        member = calling_member(tx, secret)
        dialogue_for(tx, member, dialogue_id)
        meeting, _ = meeting_in(tx, dialogue_id, meeting_id)
        side = side_in(tx, dialogue_id, side_id)
        return member, meeting, side


def _unknown_readout() -> ApiError:
    return ApiError(ApiCode.UNKNOWN_READOUT, "no such public readout")


__all__ = ["ADDRESS_KEY_FILE", "Public", "PublicReadout", "PublishedReadout", "Visibility"]
