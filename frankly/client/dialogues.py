"""The dialogues' REST API for bots: found or join a dialogue, read it, draft and publish.

    import frankly.client as fc

    async with fc.Dialogues("http://127.0.0.1:8080") as api:
        talks = await api.join(token, "Readout bot")   # a side's link
        for meeting in await talks.meetings():
            for readout in await talks.readouts(meeting["id"]):
                print(readout["revision"]["text"])

A bot is a member like any other: it joins through a side's link and the
server decides what it may do from that membership alone. It asks for a
bearer credential (`X-Frankly-Credential: bearer`), gets the secret in the
answer's `X-Frankly-Secret` and sends it as `Authorization: Bearer` on every
later call; `Dialogue.secret` is that secret, for a bot that keeps it and
comes back with `api.dialogue(id, secret)`. Answers are the API's JSON as
docs/api.md shows it. Every refusal raises `ApiRefusal` (a `FranklyError`)
with the API's stable code; a stale save raises `StaleRevision`, which
carries the newer revision to merge into.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, Final, Literal, Self

import httpx

from frankly.client.errors import FranklyError

CREDENTIAL_HEADER: Final = "X-Frankly-Credential"
SECRET_HEADER: Final = "X-Frankly-Secret"
STALE_REVISION: Final = "stale-revision"  # the API's code (frankly/dialogues/errors.py)

JSON = dict[str, Any]


class ApiRefusal(FranklyError):
    """The API refused a call: `status` (HTTP), `code` (docs/api.md), `message`,
    and `detail` when the refusal carries one."""

    def __init__(
        self, status: int, code: str, message: str, detail: dict[str, Any] | None = None
    ) -> None:
        super().__init__(code, message)
        self.status = status
        self.detail: dict[str, Any] = detail or {}


class StaleRevision(ApiRefusal):
    """A save from an older base: `number` and `text` are the revision saved since."""

    @property
    def number(self) -> int:
        return int(self.detail.get("number", 0))

    @property
    def text(self) -> str:
        return str(self.detail.get("text", ""))


@dataclass(frozen=True, slots=True)
class Entry:
    """A room invite for one meeting: `fc.Client(entry.url, name=..., invite=entry.invite)`."""

    room: str
    invite: str
    expires: datetime
    url: str  # the room's address on this server, with the invite in its fragment


class Dialogues:
    """One server's dialogue API. Use as `async with`, or call `aclose()`."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.AsyncClient(
            base_url=f"{self.base_url}/api", timeout=timeout, transport=transport
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def found(
        self, title: str, sides: Sequence[tuple[str, str]], name: str, *, side: int = 0
    ) -> Dialogue:
        """A new dialogue: `sides` as (name, IANA time zone); you convene it and lead
        `sides[side]` under `name`."""
        body = {
            "title": title,
            "sides": [{"name": n, "zone": z} for n, z in sides],
            "side": side,
            "name": name,
        }
        return await self._member("/dialogues", body)

    async def join(self, token: str, name: str) -> Dialogue:
        """A member of the side whose link `token` is (its `#token=` part), under `name`."""
        return await self._member("/join", {"token": token, "name": name})

    def dialogue(self, dialogue_id: str, secret: str) -> Dialogue:
        """A dialogue you are a member of, with the secret you kept from found or join."""
        return Dialogue(self, dialogue_id, secret, None)

    async def request(
        self, method: str, path: str, *, secret: str | None = None, json: Any = None, **params: str
    ) -> httpx.Response:
        """One call under /api/; an answer that is not 2xx raises ApiRefusal."""
        headers = {"Authorization": f"Bearer {secret}"} if secret is not None else {}
        response = await self._http.request(
            method, path, json=json, headers=headers, params=params or None
        )
        if response.is_success:
            return response
        raise _refusal(response)

    async def _member(self, path: str, body: JSON) -> Dialogue:
        response = await self._http.post(path, json=body, headers={CREDENTIAL_HEADER: "bearer"})
        if not response.is_success:
            raise _refusal(response)
        view: JSON = response.json()
        return Dialogue(self, view["id"], response.headers[SECRET_HEADER], view)


class Dialogue:
    """One dialogue as one member sees it; every call sends that member's secret."""

    def __init__(self, api: Dialogues, dialogue_id: str, secret: str, view: JSON | None) -> None:
        self.api = api
        self.id = dialogue_id
        self.secret = secret
        self.view = view  # the dialogue as last read (None until read)

    @property
    def path(self) -> str:
        return f"/dialogues/{self.id}"

    async def read(self, zone: str | None = None) -> JSON:
        """The dialogue (sides, members, meetings); with `zone`, times shown there too."""
        params = {"zone": zone} if zone is not None else {}
        self.view = await self._json("GET", self.path, **params)
        return self.view

    async def meetings(self) -> list[JSON]:
        found: list[JSON] = (await self.read())["meetings"]
        return found

    async def readouts(self, meeting: str) -> list[JSON]:
        """The sides' published readouts of `meeting`: side, latest revision, history."""
        for shown in await self.meetings():
            if shown["id"] == meeting:
                found: list[JSON] = shown["readouts"]
                return found
        raise ApiRefusal(404, "unknown-meeting", "no such meeting in this dialogue")

    async def link(self, side: str, *, lead: bool = False, hours: float = 168) -> JSON:
        """A side's link ({invite, side, lead, token, expires}); `token` is what joins."""
        body = {"lead": lead, "hours": hours}
        return await self._json("POST", f"{self.path}/sides/{side}/links", json=body)

    async def create_meeting(
        self, topic: str, agenda: str = "", *, kind: str = "tba", by: str | None = None
    ) -> JSON:
        body = {"topic": topic, "agenda": agenda, "date": {"kind": kind, "by": by}}
        return await self._json("POST", f"{self.path}/meetings", json=body)

    async def draft(self, meeting: str, side: str) -> JSON:
        """Your side's draft: {side, revisions} (only your own side's)."""
        return await self._json("GET", self._readout(meeting, side, "draft"))

    async def save_draft(self, meeting: str, side: str, base: int, text: str) -> JSON:
        """A new revision from revision `base` (0 for the first); the revision saved.

        Raises StaleRevision when another save came first: merge into its `text`
        and save again from its `number`."""
        body = {"base": base, "text": text}
        return await self._json("PUT", self._readout(meeting, side, "draft"), json=body)

    async def publish(self, meeting: str, side: str, number: int) -> JSON:
        """Publish revision `number` (the latest) of your side's readout: the lead only."""
        body = {"number": number}
        return await self._json("POST", self._readout(meeting, side, "publish"), json=body)

    async def entry(self, meeting: str) -> Entry:
        """A short-lived room invite for `meeting`, if you may attend it (else not-invited,
        whose message names who may)."""
        found = await self._json("POST", f"{self.path}/meetings/{meeting}/entry")
        url = str(found["url"])
        return Entry(
            room=str(found["room"]),
            invite=str(found["invite"]),
            expires=datetime.fromisoformat(str(found["expires"])),
            url=url if "://" in url else f"{self.api.base_url}{url}",
        )

    async def transcript(self, meeting: str, kind: Literal["txt", "vtt"] = "txt") -> str:
        """The transcript kept with `meeting` as text or WebVTT, for a member of a side
        invited to it (else not-invited; no-transcript when none was kept)."""
        path = f"{self.path}/meetings/{meeting}/transcript"
        response = await self.api.request("GET", path, secret=self.secret, format=kind)
        return response.text

    def _readout(self, meeting: str, side: str, what: str) -> str:
        return f"{self.path}/meetings/{meeting}/readouts/{side}/{what}"

    async def _json(self, method: str, path: str, *, json: Any = None, **params: str) -> JSON:
        response = await self.api.request(method, path, secret=self.secret, json=json, **params)
        found: JSON = response.json()
        return found


def _refusal(response: httpx.Response) -> ApiRefusal:
    """The API's `{"error": {code, message, detail?}}` as an exception (or a stand-in
    for an answer that is not the API's, from a proxy in front, say)."""
    try:
        error = response.json()["error"]
        code, message = str(error["code"]), str(error["message"])
        detail = error.get("detail") if isinstance(error.get("detail"), dict) else None
    except (ValueError, KeyError, TypeError):
        return ApiRefusal(response.status_code, "http-error", response.text[:200])
    kind = StaleRevision if code == STALE_REVISION else ApiRefusal
    return kind(response.status_code, code, message, detail)
