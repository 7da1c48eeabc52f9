"""Against `frankly serve` as a real process: a SIGKILL in the middle of a stream of
saves loses no answered save, and two members saving the same draft at once never
lose text. Both on SQLite (the default) and on PostgreSQL (--database)."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

import frankly.client as fc
from tests.api.served import Served
from tests.pg import Cluster

SIDES = [("United States", "America/New_York"), ("Russia", "Europe/Moscow")]
ANSWERED_BEFORE_KILL = 40
ROUNDS = 12
_names = itertools.count(1)


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Served]:
    """A server not yet started: on a SQLite file in its data directory, or on a
    fresh database of the session's private PostgreSQL cluster."""
    database = None
    if request.param == "postgresql":
        cluster: Cluster = request.getfixturevalue("postgres")
        database = cluster.database(f"served_{next(_names)}")
    served = Served(tmp_path / "data", database)
    yield served
    served.stop()


@pytest.fixture
async def running(backend: Served) -> AsyncIterator[Served]:
    await asyncio.to_thread(backend.start)
    yield backend


async def a_meeting(api: fc.Dialogues) -> tuple[fc.Dialogue, str, str]:
    """Ann's dialogue, a meeting of it, and her side."""
    ann = await api.found("Talks", SIDES, "Ann")
    assert ann.view is not None
    us = ann.view["sides"][0]["id"]
    meeting = await ann.create_meeting("Strategic stability")
    return ann, meeting["id"], us


def text_of(number: int) -> str:
    return f"Revision {number}: " + "we talked frankly. " * 50


async def test_every_answered_save_survives_sigkill(running: Served) -> None:
    async with fc.Dialogues(running.url, timeout=10) as api:
        ann, meeting, us = await a_meeting(api)
        answered: dict[int, str] = {}
        enough = asyncio.Event()

        async def keep_saving() -> None:
            for number in itertools.count(1):
                try:
                    saved = await ann.save_draft(meeting, us, number - 1, text_of(number))
                except httpx.TransportError:
                    return  # the server is gone: this save was never answered
                answered[saved["number"]] = saved["text"]
                if len(answered) >= ANSWERED_BEFORE_KILL:
                    enough.set()

        saver = asyncio.create_task(keep_saving())
        await asyncio.wait_for(enough.wait(), 60)
        await asyncio.to_thread(running.kill)  # while the saver has a save in flight
        await asyncio.wait_for(saver, 30)

    await asyncio.to_thread(running.start)  # the same data, as after a crash
    async with fc.Dialogues(running.url) as api:
        draft = await api.dialogue(ann.id, ann.secret).draft(meeting, us)
    stored = {r["number"]: r["text"] for r in draft["revisions"]}
    assert list(answered) == list(range(1, len(answered) + 1))
    assert {n: stored.get(n) for n in answered} == answered  # every answered save, its text
    assert len(stored) - len(answered) <= 1  # committed, killed before it could answer
    assert list(stored) == list(range(1, len(stored) + 1))
    await asyncio.to_thread(running.stop)
    assert consistent(running)


def consistent(served: Served) -> bool:
    """The database's own check: SQLite's integrity and foreign keys; on PostgreSQL,
    the constraints hold by construction, so the check is that every revision's
    readout, author and numbering are there."""
    if served.database is None:
        engine = create_engine(f"sqlite:///{served.data_dir / 'frankly.sqlite3'}")
        with engine.connect() as db:
            verdict = db.exec_driver_sql("PRAGMA integrity_check").scalar()
            dangling = db.exec_driver_sql("PRAGMA foreign_key_check").all()
        engine.dispose()
        return verdict == "ok" and dangling == []
    engine = create_engine(served.database)
    with engine.connect() as db:
        orphans = db.execute(
            text(
                "SELECT count(*) FROM revisions r LEFT JOIN readouts o ON o.id = r.readout "
                "LEFT JOIN members m ON m.id = r.author WHERE o.id IS NULL OR m.id IS NULL"
            )
        ).scalar_one()
        gaps = (
            db.execute(
                text("SELECT count(*) - coalesce(max(number), 0) FROM revisions GROUP BY readout")
            )
            .scalars()
            .all()
        )
    engine.dispose()
    return orphans == 0 and set(gaps) <= {0}


async def test_two_saves_from_one_base_at_once_lose_nothing(running: Served) -> None:
    async with fc.Dialogues(running.url) as api:
        ann, meeting, us = await a_meeting(api)
        carl = await api.join((await ann.link(us))["token"], "Carl")
        base, kept = 0, ""
        for round_ in range(ROUNDS):
            texts = {ann: f"{kept}\nAnn {round_}", carl: f"{kept}\nCarl {round_}"}
            # Both from the same base, on two connections at once.
            results = await asyncio.gather(
                *(who.save_draft(meeting, us, base, t) for who, t in texts.items()),
                return_exceptions=True,
            )
            won = [r for r in results if isinstance(r, dict)]
            lost = [r for r in results if isinstance(r, fc.StaleRevision)]
            assert len(won) == 1 and len(lost) == 1, results
            winner: dict[str, Any] = won[0]
            assert winner["number"] == base + 1
            assert (lost[0].status, lost[0].number, lost[0].text) == (409, base + 1, winner["text"])
            # The loser merges its line into the newer text and saves from it.
            loser = carl if winner["text"] == texts[ann].strip() else ann
            merged = f"{lost[0].text}\n{texts[loser].splitlines()[-1]}"
            again = await loser.save_draft(meeting, us, lost[0].number, merged)
            base, kept = again["number"], again["text"]
        draft = await ann.draft(meeting, us)
    assert len(draft["revisions"]) == 2 * ROUNDS
    final = draft["revisions"][-1]["text"]
    for round_ in range(ROUNDS):  # every line either of them wrote is in the last text
        assert f"Ann {round_}" in final and f"Carl {round_}" in final
