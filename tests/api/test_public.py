"""Public readouts and readers' comments: who may publish a readout at a link, what a
reader sees (and does not), the human check and the rate limit in front of a comment,
the side's lead's moderation, and comments that cannot run script."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from frankly.api.public import ADDRESS_KEY_FILE, COMMENTS_PER_WINDOW
from frankly.api.routes import Store
from frankly.client.humancheck import solve
from frankly.server.config import ServerConfig
from frankly.storage.schema import comments
from tests.api.conftest import Server, running
from tests.api.talks import Talks, error, found


async def published(talks: Talks, *texts: str) -> tuple[str, str]:
    """A meeting whose United States readout has `texts` published one after the other;
    (the meeting's id, the path of its readout under the dialogue)."""
    meeting = await talks.meeting()
    readout = f"{talks.path}/meetings/{meeting}/readouts/{talks.us}"
    for number, text in enumerate(texts, start=1):
        saved = await talks.ann.put(f"{readout}/draft", json={"base": number - 1, "text": text})
        assert saved.status_code == 201, saved.text
        done = await talks.ann.post(f"{readout}/publish", json={"number": number})
        assert done.status_code == 200, done.text
    return meeting, readout


async def made_public(talks: Talks, *texts: str) -> tuple[str, str]:
    """As `published`, then made public by Ann; (the public readout's id, its path)."""
    _, readout = await published(talks, *texts)
    response = await talks.ann.put(f"{readout}/public", json={"public": True})
    assert response.status_code == 200, response.text
    url: str = response.json()["url"]
    return url.removeprefix("/readouts/"), readout


async def proof(client: httpx.AsyncClient) -> str:
    challenge = await client.get("/api/public/challenge")
    assert challenge.status_code == 200, challenge.text
    solved = await asyncio.to_thread(solve, challenge.json())
    assert solved is not None
    return solved


async def comment(
    client: httpx.AsyncClient, readout: str, text: str, **extra: Any
) -> httpx.Response:
    body = {"text": text, "proof": await proof(client), **extra}
    return await client.post(f"/api/public/readouts/{readout}/comments", json=body)


async def test_a_readout_is_public_only_when_its_lead_says(server: Server) -> None:
    talks = await found(server)
    meeting, readout = await published(talks, "We talked *frankly*.")
    [shown] = (await talks.read(talks.boris))["meetings"][0]["readouts"]
    assert shown["public"] is False and shown["url"] is None
    reader = server.client()
    private = error(await reader.get(f"/api/public/readouts/{shown['id']}"), 404, "unknown-readout")
    unknown = error(
        await reader.get("/api/public/readouts/ro-0000000000000000"), 404, "unknown-readout"
    )
    assert private == unknown  # nobody learns that a private readout exists

    # Nobody but the side's lead makes it public: not the other side's lead, not a member.
    error(await talks.boris.put(f"{readout}/public", json={"public": True}), 403, "not-your-side")
    carl = server.client()
    await carl.post(
        "/api/join", json={"token": await talks.link(talks.ann, talks.us), "name": "Carl"}
    )
    error(await carl.put(f"{readout}/public", json={"public": True}), 403, "not-lead")
    assert (await reader.get(f"/api/public/readouts/{shown['id']}")).status_code == 404

    made = await talks.ann.put(f"{readout}/public", json={"public": True})
    assert made.json() == {"public": True, "url": f"/readouts/{shown['id']}"}
    [shown] = (await talks.read(talks.boris))["meetings"][0]["readouts"]
    assert shown["public"] is True and shown["url"] == f"/readouts/{shown['id']}"
    page = await reader.get(f"/api/public/readouts/{shown['id']}")
    assert page.status_code == 200, page.text
    body = page.json()
    assert body["dialogue"] == "Talks on strategic stability"
    assert body["topic"] == "Strategic stability" and body["side"] == "United States"
    assert body["date"]["kind"] == "asap"
    assert [r["html"] for r in body["revisions"]] == ["<p>We talked <em>frankly</em>.</p>\n"]
    assert body["comments"] == []
    # Nothing else of the dialogue: no member, no other side, no room.
    for hidden in ("Ann", "Boris", "Russia", talks.dialogue, meeting, "dlg-", "mb-"):
        assert hidden not in page.text, hidden

    made = await talks.ann.put(f"{readout}/public", json={"public": False})
    assert made.json() == {"public": False, "url": None}
    error(await reader.get(f"/api/public/readouts/{shown['id']}"), 404, "unknown-readout")


async def test_a_correction_shows_both_revisions(server: Server) -> None:
    talks = await found(server)
    readout_id, _ = await made_public(talks, "We agreed on A.", "We agreed on A and B.")
    [shown] = (await talks.read(talks.boris))["meetings"][0]["readouts"]
    assert shown["revision"]["text"] == "We agreed on A and B."
    assert [r["number"] for r in shown["history"]] == [2, 1]
    page = (await server.client().get(f"/api/public/readouts/{readout_id}")).json()
    assert [r["text"] for r in page["revisions"]] == ["We agreed on A and B.", "We agreed on A."]
    assert {r["author"] for r in page["revisions"]} == {""}


async def test_a_comment_is_held_until_the_lead_approves(server: Server) -> None:
    talks = await found(server)
    readout_id, readout = await made_public(talks, "We talked.")
    reader = server.client()
    held = await comment(reader, readout_id, "Thank you for *this*.", name="Dana")
    assert held.status_code == 202, held.text
    assert held.json()["state"] == "held"
    page = f"/api/public/readouts/{readout_id}"
    assert (await reader.get(page)).json()["comments"] == []

    # The side's members see it held; another side sees nothing and moderates nothing.
    [listed] = (await talks.ann.get(f"{readout}/comments")).json()
    assert (listed["name"], listed["state"]) == ("Dana", "held")
    approve = f"{readout}/comments/{listed['id']}/approve"
    error(await talks.boris.get(f"{readout}/comments"), 403, "not-your-side")
    error(await talks.boris.post(approve), 403, "not-your-side")
    error(await talks.boris.delete(f"{readout}/comments/{listed['id']}"), 403, "not-your-side")
    carl = server.client()
    await carl.post(
        "/api/join", json={"token": await talks.link(talks.ann, talks.us), "name": "Carl"}
    )
    assert len((await carl.get(f"{readout}/comments")).json()) == 1  # a member reads...
    error(await carl.post(approve), 403, "not-lead")  # ...but only the lead moderates
    error(await reader.post(approve), 401, "unauthenticated")
    assert (await reader.get(page)).json()["comments"] == []

    approved = await talks.ann.post(approve)
    assert approved.status_code == 200, approved.text
    assert approved.json()["state"] == "approved"
    [public] = (await reader.get(page)).json()["comments"]
    assert (public["name"], public["text"]) == ("Dana", "Thank you for *this*.")
    assert public["html"] == "<p>Thank you for <em>this</em>.</p>\n"


async def test_the_lead_rejects_a_comment(server: Server) -> None:
    talks = await found(server)
    readout_id, readout = await made_public(talks, "We talked.")
    reader = server.client()
    spam = (await comment(reader, readout_id, "Buy now")).json()["id"]
    assert (await talks.ann.delete(f"{readout}/comments/{spam}")).status_code == 204
    assert (await talks.ann.get(f"{readout}/comments")).json() == []
    error(await talks.ann.post(f"{readout}/comments/{spam}/approve"), 404, "unknown-comment")
    error(await talks.ann.delete(f"{readout}/comments/{spam}"), 404, "unknown-comment")
    assert (await reader.get(f"/api/public/readouts/{readout_id}")).json()["comments"] == []
    # A comment of another readout is unknown under this one, even to its own lead.
    other_id, other = await made_public(talks, "Another meeting.")
    theirs = (await comment(reader, other_id, "Elsewhere")).json()["id"]
    error(await talks.ann.post(f"{readout}/comments/{theirs}/approve"), 404, "unknown-comment")
    assert [c["state"] for c in (await talks.ann.get(f"{other}/comments")).json()] == ["held"]


async def test_script_in_a_comment_comes_out_inert(server: Server) -> None:
    talks = await found(server)
    readout_id, readout = await made_public(talks, "We talked.")
    attack = (
        '<script>alert(1)</script> <img src=x onerror="alert(2)"> '
        "[click](javascript:alert(3)) <a href='javascript:alert(4)'>x</a>"
    )
    made = await comment(server.client(), readout_id, attack, name="<b>Eve</b>")
    assert made.status_code == 202, made.text
    [held] = (await talks.ann.get(f"{readout}/comments")).json()
    await talks.ann.post(f"{readout}/comments/{held['id']}/approve")
    [shown] = (await server.client().get(f"/api/public/readouts/{readout_id}")).json()["comments"]
    assert shown["text"] == attack  # the text as written, for a page that shows it as text
    html = shown["html"]
    assert "&lt;script&gt;" in html
    for live in ("<script", "<img", "<a href='javascript", 'href="javascript', "<a href"):
        assert live not in html, (live, html)
    assert shown["name"] == "<b>Eve</b>"  # a name is text; the page never parses it as HTML


async def test_a_comment_needs_a_fresh_proof_of_this_server(server: Server) -> None:
    talks = await found(server)
    readout_id, readout = await made_public(talks, "We talked.")
    reader = server.client()
    path = f"/api/public/readouts/{readout_id}/comments"
    error(await reader.post(path, json={"text": "hi"}), 403, "human-check-required")
    good = await proof(reader)
    payload = json.loads(base64.b64decode(good))
    for tamper in ({"number": payload["number"] + 1}, {"signature": "0" * 64}):
        forged = base64.b64encode(json.dumps({**payload, **tamper}).encode()).decode()
        error(
            await reader.post(path, json={"text": "hi", "proof": forged}), 403, "human-check-failed"
        )
    error(
        await reader.post(path, json={"text": "hi", "proof": "not base64!"}),
        403,
        "human-check-failed",
    )
    assert (await reader.post(path, json={"text": "first", "proof": good})).status_code == 202
    replayed = await reader.post(path, json={"text": "again", "proof": good})
    error(replayed, 403, "human-check-failed")
    assert [c["text"] for c in (await talks.ann.get(f"{readout}/comments")).json()] == ["first"]


async def test_a_proof_from_another_server_fails(server: Server, tmp_path: Path) -> None:
    talks = await found(server)
    readout_id, _ = await made_public(talks, "We talked.")
    async for other in running(ServerConfig(data_dir=tmp_path / "other")):
        foreign = await proof(other.client())
    path = f"/api/public/readouts/{readout_id}/comments"
    made = await server.client().post(path, json={"text": "hi", "proof": foreign})
    error(made, 403, "human-check-failed")


async def test_a_comment_on_a_readout_that_is_not_public_is_refused(server: Server) -> None:
    talks = await found(server)
    _, readout = await published(talks, "We talked.")
    [shown] = (await talks.read(talks.ann))["meetings"][0]["readouts"]
    reader = server.client()
    error(await comment(reader, shown["id"], "hello"), 404, "unknown-readout")
    error(await comment(reader, "ro-0000000000000000", "hello"), 404, "unknown-readout")
    assert (await talks.ann.get(f"{readout}/comments")).json() == []


async def test_a_comment_has_limits(server: Server) -> None:
    talks = await found(server)
    readout_id, readout = await made_public(talks, "We talked.")
    reader = server.client()
    error(await comment(reader, readout_id, "x" * 4001), 413, "too-long")
    error(await comment(reader, readout_id, "   "), 400, "bad-text")
    error(await comment(reader, readout_id, "ok", name="n" * 65), 400, "bad-text")
    error(await comment(reader, readout_id, "a\x07bell"), 400, "bad-text")
    assert (await talks.ann.get(f"{readout}/comments")).json() == []


async def test_an_address_may_comment_so_often_even_across_restarts(
    server: Server, tmp_path: Path
) -> None:
    talks = await found(server)
    readout_id, readout = await made_public(talks, "We talked.")
    reader = server.client()
    for n in range(COMMENTS_PER_WINDOW):
        assert (await comment(reader, readout_id, f"comment {n}")).status_code == 202
    limited = error(await comment(reader, readout_id, "one more"), 429, "rate-limited")
    assert "at most 5 comments in 60 minutes" in limited["message"]

    # A server started again on the same data counts what is stored.
    async for again in running(ServerConfig(data_dir=tmp_path)):
        error(await comment(again.client(), readout_id, "after a restart"), 429, "rate-limited")
        again.clock.now = server.clock.now + timedelta(hours=1, seconds=1)
        assert (await comment(again.client(), readout_id, "an hour on")).status_code == 202
    assert len((await talks.ann.get(f"{readout}/comments")).json()) == COMMENTS_PER_WINDOW + 1

    # The address is kept only as its HMAC under the data directory's key.
    store: Store = server.app.state.store
    assert store.service is not None
    with store.service.db.read() as tx:
        kept = set(tx.execute(select(comments.c.address_hash)).scalars())
    key = (tmp_path / ADDRESS_KEY_FILE).read_bytes()
    assert kept == {hmac.new(key, b"127.0.0.1", hashlib.sha256).hexdigest()}
    assert hashlib.sha256(b"127.0.0.1").hexdigest() not in kept


async def test_the_public_page_is_served(server: Server) -> None:
    page = await server.client().get("/readouts/ro-0123456789abcdef")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")


async def test_comments_on_postgresql(pg_server: Server) -> None:
    talks = await found(pg_server)
    readout_id, readout = await made_public(talks, "We talked.")
    assert (await comment(pg_server.client(), readout_id, "hello")).status_code == 202
    [held] = (await talks.ann.get(f"{readout}/comments")).json()
    assert (await talks.ann.post(f"{readout}/comments/{held['id']}/approve")).status_code == 200
    page = (await pg_server.client().get(f"/api/public/readouts/{readout_id}")).json()
    assert [c["text"] for c in page["comments"]] == ["hello"]
    error(await pg_server.client().get("/api/public/readouts/ro-%00"), 404, "unknown-readout")


async def limit_holds_at_once(server: Server) -> None:
    talks = await found(server)
    readout_id, readout = await made_public(talks, "We talked.")
    reader = server.client()
    proofs = [await proof(reader) for _ in range(COMMENTS_PER_WINDOW + 3)]
    path = f"/api/public/readouts/{readout_id}/comments"
    answers = await asyncio.gather(
        *(
            reader.post(path, json={"text": f"at once {n}", "proof": p})
            for n, p in enumerate(proofs)
        )
    )
    assert sorted(a.status_code for a in answers) == [202] * COMMENTS_PER_WINDOW + [429] * 3
    assert len((await talks.ann.get(f"{readout}/comments")).json()) == COMMENTS_PER_WINDOW


async def test_the_limit_holds_for_comments_sent_at_once(server: Server) -> None:
    await limit_holds_at_once(server)


async def test_the_limit_holds_for_comments_sent_at_once_on_postgresql(pg_server: Server) -> None:
    await limit_holds_at_once(pg_server)


async def test_behind_a_proxy_the_address_is_the_one_it_saw(tmp_path: Path) -> None:
    async for proxied in running(ServerConfig(data_dir=tmp_path, trust_proxy=True)):
        talks = await found(proxied)
        readout_id, readout = await made_public(talks, "We talked.")
        first = proxied.client(**{"x-forwarded-for": "203.0.113.7"})
        for n in range(COMMENTS_PER_WINDOW):
            assert (await comment(first, readout_id, f"from one {n}")).status_code == 202
        error(await comment(first, readout_id, "one more"), 429, "rate-limited")
        # Another address has its own count; an IPv6 /64 is one address.
        other = proxied.client(**{"x-forwarded-for": "203.0.113.8"})
        assert (await comment(other, readout_id, "from another")).status_code == 202
        for n in range(COMMENTS_PER_WINDOW):
            host = proxied.client(**{"x-forwarded-for": f"2001:db8:1:2::{n + 1}"})
            assert (await comment(host, readout_id, f"v6 {n}")).status_code == 202
        same_64 = proxied.client(**{"x-forwarded-for": "2001:db8:1:2:ffff::1"})
        error(await comment(same_64, readout_id, "v6 again"), 429, "rate-limited")
        garbled = proxied.client(**{"x-forwarded-for": "not an address"})
        error(await comment(garbled, readout_id, "who?"), 400, "invalid-request")
        assert len((await talks.ann.get(f"{readout}/comments")).json()) == 11


async def test_the_openapi_document_describes_the_public_routes(server: Server) -> None:
    paths = (await server.client().get("/api/openapi.json")).json()["paths"]
    for path in (
        "/public/challenge",
        "/public/readouts/{readout}",
        "/public/readouts/{readout}/comments",
        "/dialogues/{dialogue}/meetings/{meeting}/readouts/{side}/public",
        "/dialogues/{dialogue}/meetings/{meeting}/readouts/{side}/comments",
        "/dialogues/{dialogue}/meetings/{meeting}/readouts/{side}/comments/{comment}/approve",
    ):
        assert path in paths, path
