"""A dialogue's rows, inserted straight into the tables, for the storage tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert

from frankly.storage import ids, schema

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def dialogue(tx: Connection, title: str = "Talks") -> dict[str, str]:
    """A dialogue with two sides, a lead on each, a meeting and side A's readout."""
    made = {
        "dialogue": ids.new_id(ids.DIALOGUE),
        "a": ids.new_id(ids.SIDE),
        "b": ids.new_id(ids.SIDE),
        "lead_a": ids.new_id(ids.MEMBER),
        "lead_b": ids.new_id(ids.MEMBER),
        "meeting": ids.new_id(ids.MEETING),
        "readout": ids.new_id(ids.READOUT),
    }
    add(tx, schema.dialogues, id=made["dialogue"], title=title, created=NOW)
    for position, (side, zone) in enumerate([("a", "America/New_York"), ("b", "Europe/Moscow")]):
        add(tx, schema.sides, id=made[side], dialogue=made["dialogue"], name=f"Side {side}",
            time_zone=zone, position=position)  # fmt: skip
        add(tx, schema.members, id=made[f"lead_{side}"], dialogue=made["dialogue"],
            side=made[side], name=f"Lead {side}", lead=True, created=NOW)  # fmt: skip
    add(tx, schema.meetings, id=made["meeting"], dialogue=made["dialogue"], topic="First",
        date_state=schema.TO_BE_AGREED, room=f"room-{made['meeting']}", created=NOW)  # fmt: skip
    add(tx, schema.readouts, id=made["readout"], meeting=made["meeting"], side=made["a"],
        created=NOW)  # fmt: skip
    return made


def add(tx: Connection, table: Any, **values: Any) -> None:
    tx.execute(insert(table).values(**values))
