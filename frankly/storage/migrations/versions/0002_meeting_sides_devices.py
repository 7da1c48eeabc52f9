"""A meeting's planned length and invited sides, a lead's link flag, and device links.

Meetings made before this revision were between every side of their
dialogue, for 60 minutes: that is what they get.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 11:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # One statement both backends take: SQLite cannot add a CHECK to a table
    # it has, only to a column it adds, and a table copy (Alembic's batch mode)
    # would drop the meetings that proposals and readouts point at.
    op.execute(
        "ALTER TABLE meetings ADD COLUMN minutes INTEGER DEFAULT 60 NOT NULL "
        "CONSTRAINT ck_meetings_minutes_range CHECK (minutes BETWEEN 15 AND 600)"
    )
    op.add_column(
        "invites", sa.Column("lead", sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    op.create_table(
        "meeting_sides",
        sa.Column("meeting", sa.String(length=24), nullable=False),
        sa.Column("side", sa.String(length=24), nullable=False),
        sa.Column("dialogue", sa.String(length=24), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting", "dialogue"],
            ["meetings.id", "meetings.dialogue"],
            name=op.f("fk_meeting_sides_meeting_dialogue"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["side", "dialogue"],
            ["sides.id", "sides.dialogue"],
            name=op.f("fk_meeting_sides_side_dialogue"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("meeting", "side", name=op.f("pk_meeting_sides")),
    )
    op.execute(
        "INSERT INTO meeting_sides (meeting, side, dialogue) "
        "SELECT meetings.id, sides.id, meetings.dialogue "
        "FROM meetings JOIN sides ON sides.dialogue = meetings.dialogue"
    )
    op.create_table(
        "device_links",
        sa.Column("id", sa.String(length=24), nullable=False),
        sa.Column("member", sa.String(length=24), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["member"], ["members.id"], name=op.f("fk_device_links_member"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device_links")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_device_links_secret_hash")),
    )


def downgrade() -> None:
    op.drop_table("device_links")
    op.drop_table("meeting_sides")
    op.drop_column("invites", "lead")
    op.drop_column("meetings", "minutes")
