"""A dialogue meeting's kept transcript in the store and through the API: who may read it,
in which formats, its English following, and its cap. On SQLite and on PostgreSQL.

Lines go in as the signaling plane hands them over (api/transcripts.append);
tests/server/test_dialogue_transcripts.py drives them through the captioner's
own message, and tests/captioner the real captioner.
"""

from __future__ import annotations

from typing import Any

import pytest

from frankly.api import transcripts
from frankly.api.routes import Store
from frankly.rooms import KeptLine
from tests.api.conftest import Server
from tests.api.entering import remove
from tests.api.talks import MOSCOW, NEW_YORK, error

SHANGHAI = "Asia/Shanghai"
T0 = 1_900_000_000.0  # 2030-03-17 17:46:40 UTC


class Three:
    """Ann (United States), Boris (Russia) and Chen (China) lead their sides; Ann's
    meeting is between the United States and Russia only."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.ann, self.boris, self.chen = server.client(), server.client(), server.client()
        self.dialogue = self.meeting = self.room = ""
        self.sides: list[str] = []

    @property
    def path(self) -> str:
        return f"/api/dialogues/{self.dialogue}/meetings/{self.meeting}/transcript"

    async def found(self) -> Three:
        zones = [("United States", NEW_YORK), ("Russia", MOSCOW), ("China", SHANGHAI)]
        made = await self.ann.post(
            "/api/dialogues",
            json={
                "title": "Talks",
                "sides": [{"name": n, "zone": z} for n, z in zones],
                "name": "Ann",
            },
        )
        assert made.status_code == 201, made.text
        self.dialogue = made.json()["id"]
        self.sides = [s["id"] for s in made.json()["sides"]]
        for client, side, name in ((self.boris, 1, "Boris"), (self.chen, 2, "Chen")):
            link = await self.ann.post(
                f"/api/dialogues/{self.dialogue}/sides/{self.sides[side]}/links",
                json={"lead": True},
            )
            joined = await client.post(
                "/api/join", json={"token": link.json()["token"], "name": name}
            )
            assert joined.status_code == 201, joined.text
        meeting = await self.ann.post(
            f"/api/dialogues/{self.dialogue}/meetings",
            json={"topic": "Arms control", "sides": self.sides[:2]},
        )
        assert meeting.status_code == 201, meeting.text
        self.meeting, self.room = meeting.json()["id"], meeting.json()["room"]
        return self

    def keep(self, segment: int, text: str, **more: Any) -> str | None:
        store: Store = self.server.app.state.store
        assert store.service is not None
        fields: dict[str, Any] = {
            "room": self.room,
            "captioner": "p-captioner",
            "speaker": "p-ann",
            "segment": segment,
            "name": "Ann",
            "side": "United States",
            "language": "en",
            "start": T0 + 2 * segment,
            "end": T0 + 2 * segment + 1.5,
            "text": text,
            "english": text,
            **more,
        }
        return transcripts.append(store.service, KeptLine(**fields))


async def check_reading(server: Server) -> None:
    three = await Three(server).found()
    assert error(await three.ann.get(three.path), 404, "no-transcript")
    assert three.keep(0, "We begin.") is None
    russian = {"speaker": "p-boris", "name": "Boris", "side": "Russia", "language": "ru"}
    assert three.keep(1, "Да.", english=None, **russian) is None
    assert three.keep(1, "Да.", english="Yes.", **russian) is None  # the English follows
    for reader in (three.ann, three.boris):
        text = await reader.get(three.path)
        assert text.status_code == 200, text.text
        assert text.text == (
            "Arms control\nTranscript from 2030-03-17 17:46:40 UTC\n\n"
            "[00:00:00] Ann (United States): We begin.\n"
            "[00:00:02] Boris (Russia): Да.\n    (English) Yes.\n"
        )
    vtt = await three.boris.get(three.path, params={"format": "vtt"})
    assert vtt.headers["content-type"] == "text/vtt; charset=utf-8"
    assert vtt.text == (
        "WEBVTT\n\n"
        "00:00:00.000 --> 00:00:01.500\n<v Ann (United States)>We begin.\n\n"
        "00:00:02.000 --> 00:00:03.500\n<v Boris (Russia)>Да.\n<v Boris (Russia)>(Yes.)\n"
    )
    read = await three.ann.get(f"/api/dialogues/{three.dialogue}")
    [meeting] = read.json()["meetings"]
    assert meeting["transcript"] == 2
    # China's side was not invited to this meeting: its members do not read it.
    refused = error(await three.chen.get(three.path), 403, "not-invited")
    assert "United States, Russia" in refused["message"]
    error(await three.ann.get(three.path, params={"format": "srt"}), 400, "invalid-request")
    unknown = f"/api/dialogues/{three.dialogue}/meetings/mt-0000000000000000/transcript"
    error(await three.ann.get(unknown), 404, "unknown-meeting")


async def check_strangers(server: Server) -> None:
    three = await Three(server).found()
    three.keep(0, "Between us.")
    error(await server.client().get(three.path), 401, "unauthenticated")
    # A member of another dialogue, with a genuine secret: this one does not exist for them.
    dave = server.client(**{"x-frankly-credential": "bearer"})
    made = await dave.post(
        "/api/dialogues",
        json={
            "title": "Other",
            "sides": [{"name": "A", "zone": NEW_YORK}, {"name": "B", "zone": MOSCOW}],
            "name": "Dave",
        },
    )
    secret = made.headers["x-frankly-secret"]
    bearer = server.client(authorization=f"Bearer {secret}")
    error(await bearer.get(three.path), 404, "unknown-dialogue")
    # Boris removed from the dialogue reads it no more.
    remove(three.server.app.state.store, "Boris")
    error(await three.boris.get(three.path), 403, "member-removed")


async def check_cap(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    three = await Three(server).found()
    monkeypatch.setattr(transcripts, "MAX_CHARACTERS", 20)
    assert three.keep(0, "Ten chars.", english=None) is None
    refused = three.keep(1, "Eleven char", english=None)
    assert refused is not None and "20 characters" in refused
    assert three.keep(0, "Ten chars.", english="Ten chars.") is None  # an update, no new line
    text = (await three.ann.get(three.path)).text
    assert "Eleven" not in text and text.count("Ten chars.") == 1
    assert three.keep(2, "x", room="dlg-none") is not None  # no meeting holds that room


async def test_members_of_the_invited_sides_read_it_as_text_and_webvtt(server: Server) -> None:
    await check_reading(server)


async def test_members_of_the_invited_sides_read_it_on_postgresql(pg_server: Server) -> None:
    await check_reading(pg_server)


async def test_strangers_and_removed_members_do_not(server: Server) -> None:
    await check_strangers(server)


async def test_strangers_and_removed_members_do_not_on_postgresql(pg_server: Server) -> None:
    await check_strangers(pg_server)


async def test_the_transcript_is_bounded(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    await check_cap(server, monkeypatch)


async def test_the_transcript_is_bounded_on_postgresql(
    pg_server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    await check_cap(pg_server, monkeypatch)
