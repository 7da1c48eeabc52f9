"""Dialogue meetings' kept transcripts: one row a final caption line.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 14:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "transcript_lines",
        sa.Column("meeting", sa.String(length=24), nullable=False),
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("captioner", sa.String(length=64), nullable=False),
        sa.Column("speaker", sa.String(length=64), nullable=False),
        sa.Column("segment", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("side", sa.String(length=80), nullable=True),
        sa.Column("language", sa.String(length=35), nullable=False),
        sa.Column("start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text", sa.String(length=2000), nullable=False),
        sa.Column("english", sa.String(length=2000), nullable=True),
        sa.Column("stored", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("number >= 1", name=op.f("ck_transcript_lines_number_positive")),
        sa.ForeignKeyConstraint(
            ["meeting"],
            ["meetings.id"],
            name=op.f("fk_transcript_lines_meeting"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("meeting", "number", name=op.f("pk_transcript_lines")),
        sa.UniqueConstraint(
            "meeting",
            "captioner",
            "speaker",
            "segment",
            name=op.f("uq_transcript_lines_meeting_captioner_speaker_segment"),
        ),
    )


def downgrade() -> None:
    op.drop_table("transcript_lines")
