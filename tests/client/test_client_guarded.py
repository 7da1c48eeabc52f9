"""Guarded rooms through the SDK, on the real server: invites, the lobby,
passwords, the human check, moderation, hands, reactions, ending a meeting."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from websockets.asyncio.client import connect

import frankly.client as fc
import frankly.client.session as session_module
from frankly.client.session import Session
from frankly.server.config import ServerConfig
from tests.client.helpers import Clients

WITHIN = 10.0
HUMAN_CHECK = ServerConfig(human_check=True, human_check_maxnumber=5000)


async def refused(join: Any, code: str, close_code: int) -> fc.FranklyError:
    with pytest.raises(fc.FranklyError) as caught:
        await join
    assert (caught.value.code, caught.value.close_code) == (code, close_code), caught.value
    return caught.value


async def knock(client: fc.Client, host: fc.Client) -> tuple[asyncio.Task[None], fc.Knock]:
    """Start `client`'s join; return it once the host sees the knock (and the client waits)."""
    waiting = client.wait_for(fc.Waiting, timeout=WITHIN)
    knocked = host.wait_for(fc.Knock, timeout=WITHIN)
    joining = asyncio.create_task(client.join())
    assert (await waiting).room == client.room
    assert client.waiting
    return joining, await knocked


async def test_an_invite_lets_an_sdk_participant_into_a_locked_room(
    clients: Clients, live_server: Any
) -> None:
    host = await clients.join("Host")
    assert host.is_host and host.me.role == "host"
    assert host.room_settings == fc.RoomSettings()
    changed = host.wait_for(fc.SettingsChanged, timeout=WITHIN)
    await host.settings(locked=True)
    assert (await changed).settings == fc.RoomSettings(locked=True)
    assert host.room_settings.locked

    token = await host.invite("participant", ttl=3600)
    knocks = host.events()
    # The token in the link, as a browser gets it.
    bot = fc.Client(f"{live_server.url}/{host.room}?invite={token}", name="Bot")
    clients.made.append(bot)
    await asyncio.wait_for(bot.join(), WITHIN)  # no knock: straight in
    assert not any(isinstance(e, fc.Knock) for e in knocks.pending())
    assert bot.me.role == "participant" and not bot.is_host
    assert bot.room_settings == fc.RoomSettings(locked=True)
    assert host.participants[bot.id].role == "participant"

    # An invite as host makes a host; one for another room, or forged, is refused.
    co_host = await clients.join("Co-host", invite=await host.invite("host", ttl=60))
    assert co_host.is_host
    elsewhere = await co_host.invite()
    lost = clients.join("Lost", room="other-room", invite=elsewhere)
    await refused(lost, "invite-wrong-room", 4403)
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    await refused(clients.join("Forger", invite=forged), "invite-invalid", 4403)


async def test_an_sdk_host_revokes_an_invite(clients: Clients) -> None:
    host = await clients.join("Host")
    await host.settings(locked=True)
    token = await host.invite("participant", ttl=3600)
    spare = await host.invite("participant", ttl=3600)
    await host.revoke(token)
    await refused(clients.join("Late", invite=token), "invite-revoked", 4403)
    assert (await clients.join("Other", invite=spare)).me.role == "participant"
    with pytest.raises(ValueError, match="no id"):
        await host.revoke("not.a-token")
    guest = await clients.join("Guest", invite=await host.invite("guest", ttl=60))
    with pytest.raises(fc.FranklyError) as not_host:
        await guest.revoke(spare)
    assert not_host.value.code == "not-host"


async def test_a_knocking_sdk_participant_admitted_by_an_sdk_host(clients: Clients) -> None:
    host = await clients.join("Host")
    await host.settings(lobby=True)
    guest = clients.client("Guest")
    joining, seen = await knock(guest, host)
    assert (seen.name, seen.returning) == ("Guest", False)
    assert list(host.knocks) == [seen.id]
    done = host.wait_for(fc.KnockDone, timeout=WITHIN)
    joined = host.wait_for(fc.ParticipantJoined, timeout=WITHIN)
    await host.admit(seen.id)
    await asyncio.wait_for(joining, timeout=WITHIN)
    assert not guest.waiting and guest.connected
    assert await done == fc.KnockDone(id=seen.id, outcome="admitted", name="Guest")
    assert (await joined).participant.id == guest.id
    assert dict(host.knocks) == {}
    assert guest.room_settings.lobby


async def test_whoever_opens_the_room_next_sees_who_waits(clients: Clients) -> None:
    first = await clients.join("First")
    await first.settings(lobby=True)
    guest = clients.client("Guest")
    joining, seen = await knock(guest, first)
    await first.leave()  # the room empties; the knock waits on
    opener = await clients.join("Opener")
    assert opener.is_host and dict(opener.knocks) == {seen.id: seen}
    await opener.admit(seen.id)
    await asyncio.wait_for(joining, timeout=WITHIN)
    assert guest.participants[opener.id].is_host


async def test_denied_raises_and_a_denied_device_knocks_again(clients: Clients) -> None:
    host = await clients.join("Host")
    await host.settings(lobby=True)
    intruder = clients.client("Intruder", device="device-1")
    joining, seen = await knock(intruder, host)
    done = host.wait_for(fc.KnockDone, timeout=WITHIN)
    await host.deny(seen.id)
    error = await refused(joining, "denied", 4403)
    assert intruder.closed and intruder.error is error
    assert (await done).outcome == "denied"

    # Banned for this meeting: with the lobby off, the same device still knocks.
    await host.settings(lobby=False)
    again = clients.client("Intruder", device="device-1")
    joining, seen = await knock(again, host)
    assert seen.returning
    await host.admit(seen.id)  # a host may change its mind
    await asyncio.wait_for(joining, timeout=WITHIN)
    assert again.connected


async def test_leaving_or_timing_out_in_the_lobby(clients: Clients) -> None:
    host = await clients.join("Host")
    await host.settings(lobby=True)

    patient = clients.client("Patient")
    joining, seen = await knock(patient, host)
    gone = host.wait_for(fc.KnockDone, timeout=WITHIN)
    await patient.leave()
    with pytest.raises(fc.FranklyError) as caught:
        await asyncio.wait_for(joining, timeout=WITHIN)
    assert caught.value.code == "closed"
    assert await gone == fc.KnockDone(id=seen.id, outcome="left", name="Patient")

    hasty = clients.client("Hasty")
    gone = host.wait_for(fc.KnockDone, timeout=WITHIN)
    with pytest.raises(TimeoutError):
        await hasty.join(timeout=0.5)
    assert hasty.closed
    assert (await gone).outcome == "left"


async def test_a_wrong_then_the_right_password(clients: Clients) -> None:
    host = await clients.join("Host")
    changed = host.wait_for(fc.SettingsChanged, timeout=WITHIN)
    await host.settings(password="s3cret")
    assert (await changed).settings.password
    await refused(clients.join("Guest"), "password-required", 4401)
    await refused(clients.join("Guest", password="guess"), "wrong-password", 4401)
    guest = await clients.join("Guest", password="s3cret")
    assert guest.room_settings.password
    assert list(guest.participants) == [host.id]
    # Cleared, anyone comes in again.
    await host.settings(password=None)
    await clients.join("Other")


@pytest.mark.parametrize("server_config", [HUMAN_CHECK])
async def test_the_sdk_solves_the_human_check(
    clients: Clients, live_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without a proof the server refuses...
    async with connect(live_server.ws_url) as ws:
        hello = {"type": "hello", "version": 1, "room": "sdk-test", "name": "Raw"}
        await ws.send(json.dumps(hello))
        assert json.loads(await ws.recv())["code"] == "human-check-required"

    # ...the SDK solves it itself, in a thread, the loop going on meanwhile.
    solved: list[str | None] = []
    real = session_module.fetch_proof

    def spy(*args: Any) -> str | None:
        solved.append(real(*args))
        return solved[-1]

    monkeypatch.setattr(session_module, "fetch_proof", spy)
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.001)  # the measure itself: the loop keeps ticking
            ticks += 1

    ticker = asyncio.create_task(tick())
    try:
        host = await clients.join("Host")
    finally:
        ticker.cancel()
    assert len(solved) == 1 and solved[0]
    assert ticks > 0
    # A proof is good once.
    async with connect(live_server.ws_url) as ws:
        hello["proof"] = solved[0]
        await ws.send(json.dumps(hello))
        assert json.loads(await ws.recv())["code"] == "human-check-failed"

    # With an invite, no check at all.
    token = await host.invite()
    invited = await clients.join("Invited", invite=token)
    assert len(solved) == 1
    assert invited.participants[host.id].is_host


async def test_hands_and_reactions(clients: Clients) -> None:
    ada = await clients.join("Ada")
    grace = await clients.join("Grace")

    def up(e: fc.ParticipantUpdated) -> bool:
        return e.participant.hand is not None

    async def barrier(client: fc.Client) -> None:
        """Wait until `client` has heard all the server sent it before now: its
        own record comes back on its socket ahead of a reaction sent after."""
        heard = client.wait_for(
            fc.Reaction, lambda e: e.participant.id == client.id, timeout=WITHIN
        )
        await client.react("👍")
        await heard

    seen = grace.wait_for(fc.ParticipantUpdated, up, timeout=WITHIN)
    await ada.raise_hand()
    assert (await seen).participant.hand == 1
    seen = ada.wait_for(fc.ParticipantUpdated, up, timeout=WITHIN)
    await grace.raise_hand()
    assert (await seen).participant.hand == 2
    await barrier(grace)
    assert ada.me.hand == 1 and grace.me.hand == 2  # the order hands went up

    lowered = grace.wait_for(fc.ParticipantUpdated, lambda e: not up(e), timeout=WITHIN)
    await ada.raise_hand(up=False)
    await lowered
    await barrier(ada)
    assert ada.me.hand is None

    def party(e: fc.Reaction) -> bool:
        return e.emoji == "🎉"

    for_ada = ada.wait_for(fc.Reaction, party, timeout=WITHIN)
    for_grace = grace.wait_for(fc.Reaction, party, timeout=WITHIN)
    await grace.react("🎉")
    for reaction in (await for_ada, await for_grace):
        assert (reaction.participant.id, reaction.emoji) == (grace.id, "🎉")
    with pytest.raises(ValueError):
        await grace.react("🐍")


async def test_moderation_is_obeyed_and_refused_to_non_hosts(clients: Clients) -> None:
    host = await clients.join("Host")
    bot = await clients.join("Bot", audio=fc.ToneTrack(), video=fc.PatternTrack())
    assert bot.me.audio and bot.me.video

    # A non-host is refused every host action.
    refusal = bot.wait_for(fc.ServerError, timeout=WITHIN)
    await bot.settings(lobby=True)
    assert (await refusal).error.code == "not-host"
    with pytest.raises(fc.FranklyError) as caught:
        await asyncio.wait_for(bot.invite(), timeout=WITHIN)
    assert caught.value.code == "not-host"

    told = bot.wait_for(fc.Moderated, timeout=WITHIN)
    seen = host.wait_for(fc.ParticipantUpdated, lambda e: not e.participant.audio, timeout=WITHIN)
    await host.moderate("mute", bot.id)
    moderated = await told
    assert (moderated.action, moderated.by.id) == ("mute", host.id)
    assert not bot.me.audio and bot.me.video
    await seen

    told = bot.wait_for(fc.Moderated, timeout=WITHIN)
    await host.moderate("stop-video", bot.id)
    assert (await told).action == "stop-video"
    assert not bot.me.video

    told = bot.wait_for(fc.Moderated, timeout=WITHIN)
    await host.moderate("make-host", bot.id)
    assert (await told).action == "make-host"
    assert bot.is_host

    third = await clients.join("Third")
    closed = third.wait_for(fc.Closed, timeout=WITHIN)
    left = host.wait_for(fc.ParticipantLeft, timeout=WITHIN)
    await bot.moderate("remove", third.id)
    error = (await closed).error
    assert error is not None and (error.code, error.close_code) == ("removed", 4403)
    assert (await left).reason == "removed"


async def test_a_host_ends_the_meeting(clients: Clients) -> None:
    host = await clients.join("Host")
    other = await clients.join("Other")
    events = other.events()
    await host.end_meeting()
    assert host.closed and host.error is not None
    assert (host.error.code, host.error.close_code) == ("meeting-ended", 4410)
    error = await other.wait_closed()
    assert error is not None and (error.code, error.close_code) == ("meeting-ended", 4410)
    seen = events.pending()
    ended = [e for e in seen if isinstance(e, fc.MeetingEnded)]
    assert len(ended) == 1 and ended[0].by.id == host.id
    assert not any(isinstance(e, fc.Reconnecting) for e in seen)  # 4410 is final
    assert isinstance(seen[-1], fc.Closed)


def record_hellos(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []
    real = Session.hello

    def hello(self: Session, resume: str | None, proof: str | None = None) -> dict[str, Any]:
        sent.append(real(self, resume, proof))
        return sent[-1]

    monkeypatch.setattr(Session, "hello", hello)
    return sent


async def test_a_resume_shows_nothing_again(
    clients: Clients, live_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    host = await clients.join("Host")
    await host.settings(password="s3cret", lobby=True)
    hellos = record_hellos(monkeypatch)
    token = await host.invite()
    bot = await clients.join("Bot", invite=token, password="s3cret", device="d-1")
    assert hellos[-1]["invite"] == token and hellos[-1]["password"] == "s3cret"
    assert hellos[-1]["device"] == "d-1" and "proof" not in hellos[-1]
    bot_id = bot.id
    live_server.drop(bot_id)
    assert (await bot.wait_for(fc.Reconnected, timeout=WITHIN)).resumed
    assert bot.id == bot_id
    assert hellos[-1]["resume"] and not {"invite", "password", "device"} & set(hellos[-1])


@pytest.mark.parametrize("server_config", [ServerConfig(grace=0.1)])
async def test_forgotten_it_joins_afresh_showing_its_password_or_invite(
    clients: Clients, live_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    host = await clients.join("Host")
    await host.settings(password="s3cret")
    hellos = record_hellos(monkeypatch)
    guest = await clients.join("Guest", password="s3cret")
    old_id = guest.id
    live_server.drop(old_id)  # back after 0.5 s: the server forgot it at 0.1 s
    back = await guest.wait_for(fc.Reconnected, timeout=WITHIN)
    assert not back.resumed and guest.id != old_id
    # Resume refused (password-required), then a fresh hello with the password.
    assert [h["resume"] is not None for h in hellos] == [False, True, False]
    assert [h.get("password") for h in hellos] == ["s3cret", None, "s3cret"]

    # In a lobby room, an invited participant sent to the lobby on resuming
    # rejoins with its invite instead of knocking.
    await host.settings(password=None, lobby=True)
    invited = await clients.join("Invited", invite=await host.invite())
    old_id = invited.id
    live_server.drop(old_id)
    back = await invited.wait_for(fc.Reconnected, timeout=WITHIN)
    assert not back.resumed and invited.connected and invited.id != old_id
