"""The first schema: dialogues, their sides, members, meetings and readouts.

Revision ID: 0001
Revises: (none)
Create Date: 2026-12-01 09:47:28.579550
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dialogues",
        sa.Column("id", sa.String(length=24), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dialogues")),
    )
    op.create_table(
        "meetings",
        sa.Column("id", sa.String(length=24), nullable=False),
        sa.Column("dialogue", sa.String(length=24), nullable=False),
        sa.Column("follows", sa.String(length=24), nullable=True),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("agenda", sa.Text(), server_default="", nullable=False),
        sa.Column("date_state", sa.String(length=16), nullable=False),
        sa.Column("by_date", sa.Date(), nullable=True),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("room", sa.String(length=64), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(date_state = 'scheduled') = (scheduled_at IS NOT NULL)",
            name=op.f("ck_meetings_scheduled_has_instant"),
        ),
        sa.CheckConstraint(
            "date_state <> 'by' OR by_date IS NOT NULL",
            name=op.f("ck_meetings_by_date_has_date"),
        ),
        sa.CheckConstraint(
            "date_state IN ('tba', 'asap', 'by', 'scheduled')",
            name=op.f("ck_meetings_date_state"),
        ),
        sa.ForeignKeyConstraint(
            ["dialogue"], ["dialogues.id"], name=op.f("fk_meetings_dialogue"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["follows", "dialogue"],
            ["meetings.id", "meetings.dialogue"],
            name=op.f("fk_meetings_follows_dialogue"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetings")),
        sa.UniqueConstraint("id", "dialogue", name=op.f("uq_meetings_id_dialogue")),
        sa.UniqueConstraint("room", name=op.f("uq_meetings_room")),
    )
    op.create_table(
        "sides",
        sa.Column("id", sa.String(length=24), nullable=False),
        sa.Column("dialogue", sa.String(length=24), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dialogue"], ["dialogues.id"], name=op.f("fk_sides_dialogue"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sides")),
        sa.UniqueConstraint("dialogue", "name", name=op.f("uq_sides_dialogue_name")),
        sa.UniqueConstraint("dialogue", "position", name=op.f("uq_sides_dialogue_position")),
        sa.UniqueConstraint("id", "dialogue", name=op.f("uq_sides_id_dialogue")),
    )
    op.create_table(
        "invites",
        sa.Column("id", sa.String(length=24), nullable=False),
        sa.Column("side", sa.String(length=24), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["side"], ["sides.id"], name=op.f("fk_invites_side"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invites")),
    )
    op.create_table(
        "members",
        sa.Column("id", sa.String(length=24), nullable=False),
        sa.Column("dialogue", sa.String(length=24), nullable=False),
        sa.Column("side", sa.String(length=24), nullable=True),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("convener", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("lead", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("side IS NOT NULL OR NOT lead", name=op.f("ck_members_lead_has_side")),
        sa.ForeignKeyConstraint(
            ["dialogue"], ["dialogues.id"], name=op.f("fk_members_dialogue"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["side", "dialogue"],
            ["sides.id", "sides.dialogue"],
            name=op.f("fk_members_side_dialogue"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_members")),
    )
    op.create_index(
        "ix_members_one_convener",
        "members",
        ["dialogue"],
        unique=True,
        sqlite_where=sa.text("convener"),
        postgresql_where=sa.text("convener"),
    )
    op.create_index(
        "ix_members_one_lead",
        "members",
        ["side"],
        unique=True,
        sqlite_where=sa.text("lead"),
        postgresql_where=sa.text("lead"),
    )
    op.create_table(
        "readouts",
        sa.Column("id", sa.String(length=24), nullable=False),
        sa.Column("meeting", sa.String(length=24), nullable=False),
        sa.Column("side", sa.String(length=24), nullable=False),
        sa.Column("public", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting"], ["meetings.id"], name=op.f("fk_readouts_meeting"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["side"], ["sides.id"], name=op.f("fk_readouts_side"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_readouts")),
        sa.UniqueConstraint("meeting", "side", name=op.f("uq_readouts_meeting_side")),
    )
    op.create_table(
        "comments",
        sa.Column("id", sa.String(length=24), nullable=False),
        sa.Column("readout", sa.String(length=24), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("address_hash", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), server_default="held", nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_by", sa.String(length=24), nullable=True),
        sa.Column("approved", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(state = 'approved') = (approved IS NOT NULL)", name=op.f("ck_comments_approved_when")
        ),
        sa.CheckConstraint("state IN ('held', 'approved')", name=op.f("ck_comments_state")),
        sa.ForeignKeyConstraint(
            ["approved_by"],
            ["members.id"],
            name=op.f("fk_comments_approved_by"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["readout"], ["readouts.id"], name=op.f("fk_comments_readout"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments")),
    )
    op.create_index(
        "ix_comments_address_hash_created", "comments", ["address_hash", "created"], unique=False
    )
    op.create_table(
        "credentials",
        sa.Column("id", sa.String(length=24), nullable=False),
        sa.Column("member", sa.String(length=24), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("device", sa.String(length=80), nullable=True),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["member"], ["members.id"], name=op.f("fk_credentials_member"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credentials")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_credentials_secret_hash")),
    )
    op.create_table(
        "points",
        sa.Column("id", sa.String(length=24), nullable=False),
        sa.Column("meeting", sa.String(length=24), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("drafted_by", sa.String(length=24), nullable=False),
        sa.Column("author", sa.String(length=24), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author"], ["members.id"], name=op.f("fk_points_author"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["drafted_by"], ["sides.id"], name=op.f("fk_points_drafted_by"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["meeting"], ["meetings.id"], name=op.f("fk_points_meeting"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_points")),
    )
    op.create_table(
        "proposals",
        sa.Column("id", sa.String(length=24), nullable=False),
        sa.Column("meeting", sa.String(length=24), nullable=False),
        sa.Column("side", sa.String(length=24), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=16), server_default="open", nullable=False),
        sa.Column("proposed_by", sa.String(length=24), nullable=False),
        sa.Column("proposed", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_by", sa.String(length=24), nullable=True),
        sa.Column("answered", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(state = 'open') = (answered IS NULL)", name=op.f("ck_proposals_answered_unless_open")
        ),
        sa.CheckConstraint(
            "state IN ('open', 'accepted', 'declined', 'withdrawn')",
            name=op.f("ck_proposals_state"),
        ),
        sa.ForeignKeyConstraint(
            ["answered_by"],
            ["members.id"],
            name=op.f("fk_proposals_answered_by"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["meeting"], ["meetings.id"], name=op.f("fk_proposals_meeting"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by"],
            ["members.id"],
            name=op.f("fk_proposals_proposed_by"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["side"], ["sides.id"], name=op.f("fk_proposals_side"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposals")),
    )
    op.create_table(
        "representatives",
        sa.Column("meeting", sa.String(length=24), nullable=False),
        sa.Column("member", sa.String(length=24), nullable=False),
        sa.Column("appointed_by", sa.String(length=24), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("appointed", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["appointed_by"],
            ["members.id"],
            name=op.f("fk_representatives_appointed_by"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["meeting"],
            ["meetings.id"],
            name=op.f("fk_representatives_meeting"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["member"], ["members.id"], name=op.f("fk_representatives_member"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("meeting", "member", name=op.f("pk_representatives")),
    )
    op.create_table(
        "revisions",
        sa.Column("readout", sa.String(length=24), nullable=False),
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=24), nullable=False),
        sa.Column("saved", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_by", sa.String(length=24), nullable=True),
        sa.CheckConstraint(
            "(published IS NULL) = (published_by IS NULL)",
            name=op.f("ck_revisions_published_by_whom"),
        ),
        sa.CheckConstraint("number >= 1", name=op.f("ck_revisions_number_positive")),
        sa.ForeignKeyConstraint(
            ["author"], ["members.id"], name=op.f("fk_revisions_author"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["published_by"],
            ["members.id"],
            name=op.f("fk_revisions_published_by"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["readout"], ["readouts.id"], name=op.f("fk_revisions_readout"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("readout", "number", name=op.f("pk_revisions")),
    )
    op.create_table(
        "confirmations",
        sa.Column("point", sa.String(length=24), nullable=False),
        sa.Column("side", sa.String(length=24), nullable=False),
        sa.Column("lead", sa.String(length=24), nullable=False),
        sa.Column("confirmed", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["lead"], ["members.id"], name=op.f("fk_confirmations_lead"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["point"], ["points.id"], name=op.f("fk_confirmations_point"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["side"], ["sides.id"], name=op.f("fk_confirmations_side"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("point", "side", name=op.f("pk_confirmations")),
    )


def downgrade() -> None:
    op.drop_table("confirmations")
    op.drop_table("revisions")
    op.drop_table("representatives")
    op.drop_table("proposals")
    op.drop_table("points")
    op.drop_table("credentials")
    op.drop_index("ix_comments_address_hash_created", table_name="comments")
    op.drop_table("comments")
    op.drop_table("readouts")
    op.drop_index("ix_members_one_lead", table_name="members")
    op.drop_index("ix_members_one_convener", table_name="members")
    op.drop_table("members")
    op.drop_table("invites")
    op.drop_table("sides")
    op.drop_table("meetings")
    op.drop_table("dialogues")
