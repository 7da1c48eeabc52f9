"""Every table of the dialogue plane, one definition for SQLite and PostgreSQL.

The rules (frankly/dialogues/) decide what may happen; these constraints are
the floor under them, so that a bug above cannot store what no rule allows:
a second revision with the same number (two saves from the same base: one
wins), a state that is not a state, a row that points nowhere. Every foreign
key is ON DELETE RESTRICT: nothing vanishes because something else did.

Rows whose id reaches a URL have a random text id (ids.py); the others are
keyed by what they belong to. Instants are `UtcInstant`. The Alembic
revisions under migrations/ create exactly this (tests/storage checks it).
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
)

from frankly.dialogues.words import COMMENT_STATES, DATE_KINDS, PROPOSAL_STATES
from frankly.storage.ids import ID_LENGTH
from frankly.storage.types import UtcInstant

# The words stored in state columns are the rules' (dialogues/words.py, a
# leaf with no imports); the CHECKs below refuse any other.
TO_BE_AGREED, ASAP, BY_DATE, SCHEDULED = DATE_STATES = DATE_KINDS
OPEN, ACCEPTED, DECLINED, WITHDRAWN = PROPOSAL_STATES
HELD, APPROVED = COMMENT_STATES

TITLE_LENGTH = 200
NAME_LENGTH = 80
ROOM_LENGTH = 64
HASH_LENGTH = 64  # SHA-256 in hex
# A meeting's planned length in minutes: the rules' range (dialogues/meetings.py).
MINUTES_MIN, MINUTES_MAX = 15, 600

# Constraint names fixed by pattern, so that both backends and every
# migration name them alike and a later revision can drop one by name.
metadata = MetaData(
    naming_convention={
        "pk": "pk_%(table_name)s",
        "fk": "fk_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    }
)


def _id() -> Column[str]:
    return Column("id", String(ID_LENGTH), primary_key=True)


def _ref(name: str, target: str, *, nullable: bool = False) -> Column[str]:
    """A column pointing at `target` ("table.column"), never deleted from under it."""
    key = ForeignKey(target, ondelete="RESTRICT")
    return Column(name, String(ID_LENGTH), key, nullable=nullable)


def _in(column: str, words: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(word) for word in words)})"


dialogues = Table(
    "dialogues",
    metadata,
    _id(),
    Column("title", String(TITLE_LENGTH), nullable=False),
    Column("created", UtcInstant, nullable=False),
)

sides = Table(
    "sides",
    metadata,
    _id(),
    _ref("dialogue", "dialogues.id"),
    Column("name", String(NAME_LENGTH), nullable=False),
    Column("time_zone", String(64), nullable=False),  # an IANA name: Europe/Moscow
    Column("position", Integer, nullable=False),  # the order sides are shown in
    UniqueConstraint("dialogue", "name"),
    UniqueConstraint("dialogue", "position"),
    UniqueConstraint("id", "dialogue"),  # the target of members' (side, dialogue)
)

# A member belongs to a dialogue, on one of its sides, or on none (a convener
# who convenes without taking a side). The convener and each side's lead are
# flags here rather than columns of dialogues and sides, so that no two
# tables point at each other; the partial unique indexes keep one of each.
members = Table(
    "members",
    metadata,
    _id(),
    _ref("dialogue", "dialogues.id"),
    Column("side", String(ID_LENGTH), nullable=True),
    Column("name", String(NAME_LENGTH), nullable=False),
    Column("convener", Boolean, nullable=False, server_default=false()),
    Column("lead", Boolean, nullable=False, server_default=false()),
    Column("created", UtcInstant, nullable=False),
    Column("removed", UtcInstant, nullable=True),  # removed members keep their history
    ForeignKeyConstraint(["side", "dialogue"], ["sides.id", "sides.dialogue"], ondelete="RESTRICT"),
    CheckConstraint("side IS NOT NULL OR NOT lead", name="lead_has_side"),
    Index(
        "ix_members_one_convener",
        "dialogue",
        unique=True,
        sqlite_where=text("convener"),
        postgresql_where=text("convener"),
    ),
    Index(
        "ix_members_one_lead",
        "side",
        unique=True,
        sqlite_where=text("lead"),
        postgresql_where=text("lead"),
    ),
)

# One row a device: a member who adds a phone gets a second credential.
credentials = Table(
    "credentials",
    metadata,
    _id(),
    _ref("member", "members.id"),
    Column("secret_hash", String(HASH_LENGTH), nullable=False, unique=True),
    Column("device", String(NAME_LENGTH), nullable=True),  # as its member named it
    Column("created", UtcInstant, nullable=False),
    Column("revoked", UtcInstant, nullable=True),
)

# A side's invite link is signed; its id is here so that a lead can revoke it.
invites = Table(
    "invites",
    metadata,
    _id(),
    _ref("side", "sides.id"),
    Column("created", UtcInstant, nullable=False),
    Column("expires", UtcInstant, nullable=False),
    Column("revoked", UtcInstant, nullable=True),
    Column("lead", Boolean, nullable=False, server_default=false()),  # a lead's link
)

# Adding a device: a one-use secret, kept as its hash, that the member's new
# device exchanges for a credential of its own within minutes.
device_links = Table(
    "device_links",
    metadata,
    _id(),
    _ref("member", "members.id"),
    Column("secret_hash", String(HASH_LENGTH), nullable=False, unique=True),
    Column("created", UtcInstant, nullable=False),
    Column("expires", UtcInstant, nullable=False),
    Column("used", UtcInstant, nullable=True),  # once set, it makes no credential again
)

meetings = Table(
    "meetings",
    metadata,
    _id(),
    _ref("dialogue", "dialogues.id"),
    Column("follows", String(ID_LENGTH), nullable=True),  # the meeting it came from
    Column("topic", String(TITLE_LENGTH), nullable=False),
    Column("agenda", Text, nullable=False, server_default=""),
    Column("date_state", String(16), nullable=False),
    Column("by_date", Date, nullable=True),  # "by DATE": a day, in no time zone
    Column("scheduled_at", UtcInstant, nullable=True),
    Column("room", String(ROOM_LENGTH), nullable=False, unique=True),
    Column("created", UtcInstant, nullable=False),
    Column("minutes", Integer, nullable=False, server_default=text("60")),  # planned length
    UniqueConstraint("id", "dialogue"),  # the target of a follow-up's (follows, dialogue)
    ForeignKeyConstraint(
        ["follows", "dialogue"], ["meetings.id", "meetings.dialogue"], ondelete="RESTRICT"
    ),
    CheckConstraint(_in("date_state", DATE_STATES), name="date_state"),
    CheckConstraint(f"date_state <> '{BY_DATE}' OR by_date IS NOT NULL", name="by_date_has_date"),
    CheckConstraint(
        f"(date_state = '{SCHEDULED}') = (scheduled_at IS NOT NULL)", name="scheduled_has_instant"
    ),
    CheckConstraint(f"minutes BETWEEN {MINUTES_MIN} AND {MINUTES_MAX}", name="minutes_range"),
)

# The sides a meeting is held between (two or more of its dialogue's); both
# keys carry the dialogue, so that a meeting cannot invite another's side.
meeting_sides = Table(
    "meeting_sides",
    metadata,
    Column("meeting", String(ID_LENGTH), nullable=False),
    Column("side", String(ID_LENGTH), nullable=False),
    Column("dialogue", String(ID_LENGTH), nullable=False),
    PrimaryKeyConstraint("meeting", "side"),
    ForeignKeyConstraint(
        ["meeting", "dialogue"], ["meetings.id", "meetings.dialogue"], ondelete="RESTRICT"
    ),
    ForeignKeyConstraint(["side", "dialogue"], ["sides.id", "sides.dialogue"], ondelete="RESTRICT"),
)

proposals = Table(
    "proposals",
    metadata,
    _id(),
    _ref("meeting", "meetings.id"),
    _ref("side", "sides.id"),
    Column("at", UtcInstant, nullable=False),  # the proposed start
    Column("state", String(16), nullable=False, server_default=OPEN),
    _ref("proposed_by", "members.id"),
    Column("proposed", UtcInstant, nullable=False),
    _ref("answered_by", "members.id", nullable=True),  # who accepted, declined or withdrew
    Column("answered", UtcInstant, nullable=True),
    CheckConstraint(_in("state", PROPOSAL_STATES), name="state"),
    CheckConstraint(f"(state = '{OPEN}') = (answered IS NULL)", name="answered_unless_open"),
)

representatives = Table(
    "representatives",
    metadata,
    _ref("meeting", "meetings.id"),  # the follow-up they attend
    _ref("member", "members.id"),
    _ref("appointed_by", "members.id"),
    Column("topic", String(TITLE_LENGTH), nullable=False),
    Column("appointed", UtcInstant, nullable=False),
    PrimaryKeyConstraint("meeting", "member"),
)

readouts = Table(
    "readouts",
    metadata,
    _id(),
    _ref("meeting", "meetings.id"),
    _ref("side", "sides.id"),
    Column("public", Boolean, nullable=False, server_default=false()),  # at a public link
    Column("created", UtcInstant, nullable=False),
    UniqueConstraint("meeting", "side"),  # one readout a side a meeting
)

# Every save is a revision, numbered from 1 within its readout; the primary
# key refuses a second revision with the same number, which is how a stale
# save (from an older base) loses instead of overwriting. A published
# revision is never changed again; a correction is a newer published one.
revisions = Table(
    "revisions",
    metadata,
    Column(
        "readout",
        String(ID_LENGTH),
        ForeignKey("readouts.id", ondelete="RESTRICT"),
        primary_key=True,
    ),
    Column("number", Integer, primary_key=True, autoincrement=False),
    Column("text", Text, nullable=False),
    _ref("author", "members.id"),
    Column("saved", UtcInstant, nullable=False),
    Column("published", UtcInstant, nullable=True),
    _ref("published_by", "members.id", nullable=True),
    CheckConstraint("number >= 1", name="number_positive"),
    CheckConstraint("(published IS NULL) = (published_by IS NULL)", name="published_by_whom"),
)

# Readers' comments under a public readout, held until the side's lead
# approves; the address is kept only as a hash, for the rate limit.
comments = Table(
    "comments",
    metadata,
    _id(),
    _ref("readout", "readouts.id"),
    Column("name", String(NAME_LENGTH), nullable=True),
    Column("text", Text, nullable=False),
    Column("address_hash", String(HASH_LENGTH), nullable=False),
    Column("state", String(16), nullable=False, server_default=HELD),
    Column("created", UtcInstant, nullable=False),
    _ref("approved_by", "members.id", nullable=True),
    Column("approved", UtcInstant, nullable=True),
    CheckConstraint(_in("state", COMMENT_STATES), name="state"),
    CheckConstraint(f"(state = '{APPROVED}') = (approved IS NOT NULL)", name="approved_when"),
    Index("ix_comments_address_hash_created", "address_hash", "created"),
)

# A point all sides agreed: drafted by one side, agreed once every side's
# lead has a confirmation row.
points = Table(
    "points",
    metadata,
    _id(),
    _ref("meeting", "meetings.id"),
    Column("text", Text, nullable=False),
    _ref("drafted_by", "sides.id"),
    _ref("author", "members.id"),
    Column("created", UtcInstant, nullable=False),
)

confirmations = Table(
    "confirmations",
    metadata,
    Column(
        "point", String(ID_LENGTH), ForeignKey("points.id", ondelete="RESTRICT"), primary_key=True
    ),
    Column(
        "side", String(ID_LENGTH), ForeignKey("sides.id", ondelete="RESTRICT"), primary_key=True
    ),
    _ref("lead", "members.id"),
    Column("confirmed", UtcInstant, nullable=False),
)

# A dialogue meeting's kept transcript: the final caption lines the server's
# captioner handed in while a host kept the transcript (docs/dialogues.md).
# Numbered from 1 within the meeting, in the order they were stored. The
# speaker's name and side are as the room showed them then (a room's names
# are the members' own), kept so the transcript reads the same later. One
# line of one captioner run (`captioner`, its participant id) is stored once:
# its English, which comes after, updates it.
TRANSCRIPT_TEXT_LENGTH = 2000  # a final line is a few seconds of speech
PARTICIPANT_LENGTH = 64  # a room's participant ids and names (protocol/messages.py)
transcript_lines = Table(
    "transcript_lines",
    metadata,
    _ref("meeting", "meetings.id"),
    Column("number", Integer, nullable=False, autoincrement=False),
    Column("captioner", String(PARTICIPANT_LENGTH), nullable=False),
    Column("speaker", String(PARTICIPANT_LENGTH), nullable=False),  # their participant id
    Column("segment", Integer, nullable=False),  # the captioner's line number for them
    Column("name", String(PARTICIPANT_LENGTH), nullable=False),
    Column("side", String(NAME_LENGTH), nullable=True),
    Column("language", String(35), nullable=False),
    Column("start", UtcInstant, nullable=False),
    Column("end", UtcInstant, nullable=False),
    Column("text", String(TRANSCRIPT_TEXT_LENGTH), nullable=False),
    Column("english", String(TRANSCRIPT_TEXT_LENGTH), nullable=True),
    Column("stored", UtcInstant, nullable=False),
    PrimaryKeyConstraint("meeting", "number"),
    UniqueConstraint("meeting", "captioner", "speaker", "segment"),
    CheckConstraint("number >= 1", name="number_positive"),
)
