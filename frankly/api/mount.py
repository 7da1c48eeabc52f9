"""The API as the server mounts it: the routes behind their guard, and the store's life.

The public readouts' routes (public_routes.py) are included here, with what
guards their comments: a human check and the key of readers' addresses.

The server opens the database when it starts (migrations included, in a
worker thread) and closes it when it stops; until then, and on a server
with neither --database nor a data directory, the API answers no-database.

`dialogue_rooms` is how the signaling hub asks which dialogue meeting a room
holds (api/entry.py), and `meeting_transcripts` how it stores a line of a
meeting's kept transcript (api/transcripts.py): in a worker thread, since
the store blocks.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import anyio.to_thread
from starlette.types import ASGIApp

from frankly.api import transcripts
from frankly.api.entry import meeting_of_room
from frankly.api.guard import ApiGuard
from frankly.api.public import ADDRESS_KEY_FILE
from frankly.api.public_routes import PublicChecks, public_router
from frankly.api.routes import Store, make_api
from frankly.api.service import KEY_FILE, Service
from frankly.rooms import DialogueMeeting, KeptLine
from frankly.server.config import ServerConfig
from frankly.server.humancheck import HumanCheck
from frankly.server.keys import load_key
from frankly.storage import database_url, open_database


def api_app(origin_ok: Callable[[str, str], bool], checks: PublicChecks) -> tuple[ASGIApp, Store]:
    store = Store()
    api = make_api(store)
    api.include_router(public_router(store, checks))
    return ApiGuard(api, origin_ok), store


def public_checks(config: ServerConfig, rooms: HumanCheck | None) -> PublicChecks:
    """The rooms' human check when the server has one, else the API's own (comments
    always need one), and the key of readers' addresses, both in the data directory."""
    human = rooms or HumanCheck(
        config.data_dir, config.human_check_maxnumber, config.human_check_ttl
    )
    key = load_key(config.data_dir, ADDRESS_KEY_FILE)
    return PublicChecks(human, key, config.trust_proxy)


@contextlib.asynccontextmanager
async def open_store(
    store: Store, database: str | None, data_dir: Path | None
) -> AsyncIterator[None]:
    if database is None and data_dir is None:
        yield
        return
    url = database_url(database, data_dir) if data_dir is not None else database
    assert url is not None
    db = await anyio.to_thread.run_sync(open_database, url)
    store.service = Service(db, load_key(data_dir, KEY_FILE))
    try:
        yield
    finally:
        store.service = None
        await anyio.to_thread.run_sync(db.close)


def dialogue_rooms(store: Store) -> Callable[[str], Awaitable[DialogueMeeting | None]]:
    """The hub's question, which dialogue meeting a room name holds, put to the store."""

    async def lookup(room: str) -> DialogueMeeting | None:
        service = store.service
        if service is None:
            return None
        found = await anyio.to_thread.run_sync(meeting_of_room, service, room)
        if found is None:
            return None
        return DialogueMeeting(found.dialogue, found.representatives, found.removed)

    return lookup


def meeting_transcripts(store: Store) -> Callable[[KeptLine], Awaitable[str | None]]:
    """The hub's line of a kept transcript, stored with its meeting (None: stored)."""

    async def keep(line: KeptLine) -> str | None:
        service = store.service
        if service is None:
            return "the server's store is not open: the transcript is not stored"
        return await anyio.to_thread.run_sync(transcripts.append, service, line)

    return keep
