"""Helpers for entering meetings' rooms: more members, and representatives appointed
straight through storage (their route is another change's)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import insert, update

from frankly.api.routes import Store
from frankly.storage.schema import members, representatives
from tests.api.talks import Talks


async def member(talks: Talks, lead: httpx.AsyncClient, side: str, name: str) -> httpx.AsyncClient:
    """A new member of `side`, through a member's link that its lead made."""
    client = talks.server.client()
    token = await talks.link(lead, side)
    joined = await client.post("/api/join", json={"token": token, "name": name})
    assert joined.status_code == 201, joined.text
    return client


async def member_id(talks: Talks, client: httpx.AsyncClient) -> str:
    found: str = (await talks.read(client))["you"]["id"]
    return found


def appoint(store: Store, meeting: str, member: str, by: str, topic: str = "Europe") -> None:
    assert store.service is not None
    with store.service.db.transaction() as tx:
        tx.execute(
            insert(representatives).values(
                meeting=meeting,
                member=member,
                appointed_by=by,
                topic=topic,
                appointed=datetime.now(UTC),
            )
        )


def remove(store: Store, name: str) -> None:
    assert store.service is not None
    with store.service.db.transaction() as tx:
        tx.execute(update(members).where(members.c.name == name).values(removed=datetime.now(UTC)))


async def enter(talks: Talks, client: httpx.AsyncClient, meeting: str) -> httpx.Response:
    return await client.post(f"{talks.path}/meetings/{meeting}/entry")


def entered(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body
