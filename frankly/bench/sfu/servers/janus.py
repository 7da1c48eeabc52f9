"""Janus (Debian's `janus` package) as the reference SFU of `frankly bench sfu`.

The benchmark starts its own Janus with a configuration written to a
temporary folder: only the VideoRoom plugin and the WebSockets transport
(on 127.0.0.1), ICE-lite, no STUN server, no event handlers, session
timeouts off, logging at warnings. The load generator then joins the same
publishers and viewers as it does on Frankly: a publisher offers its
microphone and camera to a publisher handle; every participant receives
everyone else's streams on one subscriber handle (one peer connection,
Janus's multistream subscriptions), answering Janus's offer. Same media,
same ICE and DTLS-SRTP code, same measurement.

Janus cannot put its media on 127.0.0.1: it gathers ICE candidates on every
interface but the loopback one (src/ice.c skips IFF_LOOPBACK), and its
libnice sockets, bound to a real interface's address, send replies meant
for 127.0.0.1 out of that interface. So it runs in a private network
namespace with the generator's side of its run (netns.py), on netns.ADDRESS.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import socket
from pathlib import Path
from typing import Any

from frankly.bench.loadgen import (
    Engine,
    Participant,
    publish_offer,
    subscribe_answer,
)
from frankly.bench.sfu import netns
from frankly.bench.sfu.server import Server, connects, free_port
from frankly.bench.sfu.settings import Settings
from frankly.sfu import sdp

log = logging.getLogger(__name__)

JANUS = "/usr/bin/janus"
LIB = Path("/usr/lib/x86_64-linux-gnu/janus")
PLUGIN = "libjanus_videoroom.so"
TRANSPORT = "libjanus_websockets.so"
ROOM = 4242


def _lib() -> Path:
    if LIB.exists():
        return LIB
    for candidate in Path("/usr/lib").glob("*/janus"):
        return candidate
    return LIB


class JanusServer(Server):
    """A Janus of our own, its WebSockets on loopback, in a temporary configuration folder."""

    name = "Janus"
    label = "Janus"
    not_ready = "did not open its WebSocket port"
    start_within = 15.0
    log_name = "janus.log"
    private_network = True

    def __init__(
        self,
        cpus: set[int] | None = None,
        rtp_ports: tuple[int, int] = (21000, 22999),
        address: str = netns.ADDRESS,
    ) -> None:
        super().__init__(cpus)
        self.address = address
        self.ws_port = free_port(socket.SOCK_STREAM)
        self.rtp_ports = rtp_ports
        self._write_config()

    @staticmethod
    def available() -> str | None:
        if not Path(JANUS).exists():
            return f"{JANUS} is missing (apt-get install janus)"
        for folder, name in (("plugins", PLUGIN), ("transports", TRANSPORT)):
            if not (_lib() / folder / name).exists():
                return f"Janus's {name} is missing from {_lib() / folder}"
        return None

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.ws_port}"

    def command(self) -> list[str]:
        return [JANUS, "-C", str(self.dir / "janus.jcfg"), "-F", str(self.dir), "-o"]

    def answers(self) -> bool:
        return connects(self.ws_port, 0.2)

    def server_ports(self) -> set[int]:
        low, high = self.rtp_ports
        return set(range(low, high + 1))

    async def connect(self, engine: Engine, settings: Settings) -> JanusTarget:
        target = JanusTarget(engine, self)
        try:
            await target.open(settings.publishers + 1)
        except BaseException:
            await target.close()  # the caller has no target to close
            raise
        return target

    def _write_config(self) -> None:
        lib = _lib()
        for folder, name in (("plugins", PLUGIN), ("transports", TRANSPORT)):
            (self.dir / folder).mkdir()
            (self.dir / folder / name).symlink_to(lib / folder / name)
        (self.dir / "empty").mkdir()
        low, high = self.rtp_ports
        (self.dir / "janus.jcfg").write_text(
            f"""general: {{
	configs_folder = "{self.dir}"
	plugins_folder = "{self.dir}/plugins"
	transports_folder = "{self.dir}/transports"
	events_folder = "{self.dir}/empty"
	loggers_folder = "{self.dir}/empty"
	debug_level = 3
	session_timeout = 0
	server_name = "frankly-bench"
}}
media: {{
	rtp_port_range = "{low}-{high}"
}}
nat: {{
	ice_lite = true
	ice_enforce_list = "{self.address}"
	ignore_mdns = true
}}
"""
        )
        (self.dir / "janus.transport.websockets.jcfg").write_text(
            f"""general: {{
	json = "plain"
	ws = true
	ws_port = {self.ws_port}
	ws_ip = "127.0.0.1"
	wss = false
}}
admin: {{
	admin_ws = false
	admin_wss = false
}}
"""
        )
        (self.dir / "janus.plugin.videoroom.jcfg").write_text("general: {\n}\n")


class JanusError(RuntimeError):
    pass


class JanusApi:
    """One WebSocket and one Janus session; handles are attached on it."""

    def __init__(self) -> None:
        self._ws: Any = None
        self.session = 0
        self._waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._ids = itertools.count(1)
        self._tasks: list[asyncio.Task[None]] = []

    async def connect(self, url: str) -> None:
        from websockets.asyncio.client import connect
        from websockets.typing import Subprotocol

        self._ws = await connect(
            url, subprotocols=[Subprotocol("janus-protocol")], max_size=1 << 22, ping_interval=None
        )
        self._tasks.append(asyncio.create_task(self._read()))
        reply = await self.call({"janus": "create"})
        self.session = int(reply["data"]["id"])

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await self.call({"janus": "destroy"}, wait=2)
            with contextlib.suppress(Exception):
                await self._ws.close()

    async def call(
        self, message: dict[str, Any], event: bool = False, wait: float = 15
    ) -> dict[str, Any]:
        """Send one request; return its success, or with `event` the plugin's event."""
        transaction = f"t{next(self._ids)}"
        message = {**message, "transaction": transaction}
        if self.session and "session_id" not in message and message["janus"] != "create":
            message["session_id"] = self.session
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[transaction] = future
        await self._ws.send(json.dumps(message))
        try:
            reply = await asyncio.wait_for(future, wait)
        finally:
            self._waiting.pop(transaction, None)
        if reply.get("janus") == "error":
            raise JanusError(f"{message.get('body') or message['janus']}: {reply.get('error')}")
        data = reply.get("plugindata", {}).get("data", {})
        if "error" in data:
            raise JanusError(f"{message.get('body')}: {data['error']}")
        if event and reply.get("janus") != "event":
            raise JanusError(f"expected an event, got {reply}")
        return reply

    async def attach(self) -> int:
        reply = await self.call({"janus": "attach", "plugin": "janus.plugin.videoroom"})
        return int(reply["data"]["id"])

    async def _read(self) -> None:
        try:
            async for frame in self._ws:
                reply = json.loads(frame)
                kind = reply.get("janus")
                transaction = reply.get("transaction")
                if kind == "ack":
                    continue  # an asynchronous request: its answer comes as an event
                future = self._waiting.get(transaction) if transaction else None
                if future is not None and not future.done():
                    future.set_result(reply)
                elif kind in ("hangup", "detached") or (kind == "event" and "error" in str(reply)):
                    log.debug("janus: %s", reply)
        except Exception as exc:
            if not isinstance(exc, asyncio.CancelledError):
                log.debug("janus socket closed: %s", exc)

    async def trickle_done(self, handle: int) -> None:
        """Our SDP held all our candidates: say so (nothing waits for the ack)."""
        transaction = f"t{next(self._ids)}"
        message = {
            "janus": "trickle",
            "session_id": self.session,
            "handle_id": handle,
            "candidate": {"completed": True},
            "transaction": transaction,
        }
        await self._ws.send(json.dumps(message))


class JanusTarget:
    """The generator's participants on a Janus VideoRoom."""

    def __init__(self, engine: Engine, server: JanusServer) -> None:
        self.engine = engine
        self.server = server
        self.api = JanusApi()
        self._admin = 0

    async def open(self, publishers: int) -> None:
        await self.api.connect(self.server.url)
        self._admin = await self.api.attach()
        body = {
            "request": "create",
            "room": ROOM,
            "description": "frankly bench",
            "publishers": publishers,
            "audiocodec": "opus",
            "videocodec": "vp8",
            "bitrate": 0,
            "fir_freq": 0,
            "notify_joining": False,
            "audiolevel_event": False,
            "record": False,
        }
        await self.api.call({"janus": "message", "handle_id": self._admin, "body": body})

    async def close(self) -> None:
        await self.api.close()

    async def add_publishers(self, people: list[Participant]) -> None:
        for person in people:
            await self._add_publisher(person)
        # Janus lists a feed for subscribing once its peer connection is up.
        for person in people:
            assert person.pub is not None
            await asyncio.wait_for(person.pub.connected.wait(), 20)
        await asyncio.sleep(0.5)
        for person in people:
            others = [p for p in people if p is not person]
            if others:
                await self._add_subscriber(person, others)

    async def add_viewer(self, person: Participant, publishers: list[Participant]) -> None:
        await self._add_subscriber(person, publishers)

    async def _add_publisher(self, person: Participant) -> None:
        engine = self.engine
        join = {"ptype": "publisher", "id": _feed(person), "display": person.name}
        handle, _ = await self._join(person, "pub_handle", join)
        person.pub = engine.transport(f"{person.name}/publish")
        person.sources = engine.publish(person.pub, person.index)
        offer = publish_offer(person.pub, person.name, *person.sources)
        reply = await self._negotiate(handle, "publish", "offer", offer)
        answer = reply.get("jsep", {}).get("sdp")
        if not answer:
            raise JanusError(f"publish got no answer: {reply}")
        person.pub.set_remote(sdp.parse(answer), answer, we_offered=True)
        await self.api.trickle_done(handle)

    async def _add_subscriber(self, person: Participant, feeds: list[Participant]) -> None:
        """Receive every stream of `feeds` on one peer connection."""
        join = {"ptype": "subscriber", "streams": [{"feed": _feed(p)} for p in feeds]}
        handle, reply = await self._join(person, "sub_handle", join)
        text = reply.get("jsep", {}).get("sdp")
        if not text:
            raise JanusError(f"subscribe got no offer: {reply}")
        offer = sdp.parse(text)
        person.sub = self.engine.transport(f"{person.name}/subscribe")
        answer = subscribe_answer(person.sub, offer)
        person.sub.set_remote(offer, text, we_offered=False)
        await self._negotiate(handle, "start", "answer", answer)
        await self.api.trickle_done(handle)

    async def _join(
        self, person: Participant, key: str, join: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        """A handle of `person`'s own (kept in extra[key]) joined to the room; and the event."""
        handle = await self.api.attach()
        person.extra[key] = handle
        body = {"request": "join", "room": ROOM, **join}
        message = {"janus": "message", "handle_id": handle, "body": body}
        return handle, await self.api.call(message, event=True)

    async def _negotiate(self, handle: int, request: str, kind: str, text: str) -> dict[str, Any]:
        """`request` with our SDP (`kind`: offer or answer, every candidate in it); the event."""
        jsep = {"type": kind, "sdp": text, "trickle": False}
        message = {"janus": "message", "handle_id": handle, "body": {"request": request}}
        return await self.api.call({**message, "jsep": jsep}, event=True)

    async def remove(self, person: Participant) -> None:
        for key in ("sub_handle", "pub_handle"):
            handle = person.extra.pop(key, None)
            if handle is not None:
                with contextlib.suppress(JanusError, TimeoutError):
                    await self.api.call({"janus": "detach", "handle_id": handle}, wait=5)
        for transport in person.transports():
            transport.close()


def _feed(person: Participant) -> int:
    return 1000 + person.index
