"""More people for the talks of tests/api/talks.py: members who join a side through a
link its lead makes, and the state of the database that a refusal must leave alone."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select

from frankly.api.routes import Store
from frankly.storage import schema
from tests.api.talks import Talks


async def joined(
    talks: Talks, side: str, name: str, **headers: str
) -> tuple[httpx.AsyncClient, str]:
    """A new member of `side` (its lead makes the link) and their member id."""
    lead = talks.ann if side == talks.us else talks.boris
    token = await talks.link(lead, side)
    client = talks.server.client(**headers)
    response = await client.post("/api/join", json={"token": token, "name": name})
    assert response.status_code == 201, response.text
    if "x-frankly-secret" in response.headers:
        client.headers["authorization"] = f"Bearer {response.headers['x-frankly-secret']}"
    member: str = response.json()["you"]["id"]
    return client, member


async def you(talks: Talks, client: httpx.AsyncClient) -> str:
    member: str = (await talks.read(client))["you"]["id"]
    return member


def counts(talks: Talks) -> dict[str, Any]:
    """Every table's rows and the members' removal and lead flags: what a refusal keeps."""
    store: Store = talks.server.app.state.store
    assert store.service is not None
    with store.service.db.read() as tx:
        sizes = {
            name: tx.execute(select(func.count()).select_from(table)).scalar_one()
            for name, table in schema.metadata.tables.items()
        }
        people = tx.execute(
            select(schema.members.c.id, schema.members.c.lead, schema.members.c.removed)
        ).all()
        marks = {
            str(column): sorted(map(str, tx.execute(select(column)).scalars()))
            for column in (
                schema.credentials.c.revoked,
                schema.invites.c.revoked,
                schema.device_links.c.used,
            )
        }
    return {"sizes": sizes, "members": sorted(map(str, people)), **marks}
