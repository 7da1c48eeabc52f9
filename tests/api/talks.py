"""A dialogue set up through the API as two people would: Ann founds it and leads the
United States (New York); Boris joins through the lead's link of Russia (Moscow)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from tests.api.conftest import Server

NEW_YORK, MOSCOW = "America/New_York", "Europe/Moscow"


@dataclass
class Talks:
    server: Server
    ann: httpx.AsyncClient
    boris: httpx.AsyncClient
    dialogue: str
    us: str  # Ann's side
    ru: str  # Boris's side

    @property
    def path(self) -> str:
        return f"/api/dialogues/{self.dialogue}"

    async def read(self, client: httpx.AsyncClient, **params: str) -> dict[str, Any]:
        response = await client.get(self.path, params=params)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def meeting(self, topic: str = "Strategic stability") -> str:
        response = await self.ann.post(
            f"{self.path}/meetings",
            json={"topic": topic, "agenda": "1. Dates", "date": {"kind": "asap"}},
        )
        assert response.status_code == 201, response.text
        meeting_id: str = response.json()["id"]
        return meeting_id

    async def link(self, client: httpx.AsyncClient, side: str, lead: bool = False) -> str:
        response = await client.post(f"{self.path}/sides/{side}/links", json={"lead": lead})
        assert response.status_code == 201, response.text
        token: str = response.json()["token"]
        return token


async def found(server: Server) -> Talks:
    ann, boris = server.client(), server.client()
    response = await ann.post(
        "/api/dialogues",
        json={
            "title": "Talks on strategic stability",
            "sides": [
                {"name": "United States", "zone": NEW_YORK},
                {"name": "Russia", "zone": MOSCOW},
            ],
            "side": 0,
            "name": "Ann",
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    us, ru = (s["id"] for s in body["sides"])
    talks = Talks(server, ann, boris, body["id"], us, ru)
    token = await talks.link(ann, ru, lead=True)
    joined = await boris.post("/api/join", json={"token": token, "name": "Boris"})
    assert joined.status_code == 201, joined.text
    return talks


def error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The refusal's body, after checking its status and code."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()["error"]
    assert body["code"] == code, body
    return body
