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
for 127.0.0.1 out of that interface. So Janus and the generator's side of
the Janus run share a private network namespace (`unshare --net`, root),
whose only other interface is a veth pair with a private address
(NETNS_ADDRESS): nothing in it can reach or be reached from outside the
machine, and everything between Janus and the generator goes through the
loopback device, as it does for Frankly on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from frankly.bench.loadgen import (
    Engine,
    Participant,
    publish_offer,
    subscribe_answer,
)
from frankly.sfu import sdp

log = logging.getLogger(__name__)

JANUS = "/usr/bin/janus"
LIB = Path("/usr/lib/x86_64-linux-gnu/janus")
PLUGIN = "libjanus_videoroom.so"
TRANSPORT = "libjanus_websockets.so"
ROOM = 4242
NETNS_ADDRESS = "10.77.0.1"  # inside the private namespace only


def available() -> str | None:
    """None when Janus can run here, else why not."""
    if not Path(JANUS).exists():
        return f"{JANUS} is missing (apt-get install janus)"
    for folder, name in (("plugins", PLUGIN), ("transports", TRANSPORT)):
        if not (_lib() / folder / name).exists():
            return f"Janus's {name} is missing from {_lib() / folder}"
    if os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("ip"):
        return "Janus runs in a private network namespace: that needs root, unshare and ip"
    return None


def enter_private_network() -> None:
    """In a fresh network namespace: bring up lo and a veth pair with NETNS_ADDRESS."""
    commands = [
        ["ip", "link", "set", "lo", "up"],
        ["ip", "link", "add", "fb0", "type", "veth", "peer", "name", "fb1"],
        ["ip", "addr", "add", f"{NETNS_ADDRESS}/24", "dev", "fb0"],
        ["ip", "link", "set", "fb0", "up"],
        ["ip", "link", "set", "fb1", "up"],
    ]
    for command in commands:
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)}: {done.stderr.strip()}")
    # Janus gathers only interfaces that are up and running: wait for the carrier.
    # (/sys/class/net shows the namespace sysfs was mounted in: ask ip.)
    deadline = time.monotonic() + 5
    while (
        "LOWER_UP"
        not in subprocess.run(
            ["ip", "-o", "link", "show", "dev", "fb0"], capture_output=True, text=True
        ).stdout
    ):
        if time.monotonic() > deadline:
            raise RuntimeError("the veth pair of the private network did not come up")
        time.sleep(0.05)


def _lib() -> Path:
    if LIB.exists():
        return LIB
    for candidate in Path("/usr/lib").glob("*/janus"):
        return candidate
    return LIB


class JanusProcess:
    """A Janus of our own on loopback, in a temporary configuration folder."""

    def __init__(
        self,
        cpus: set[int] | None = None,
        rtp_ports: tuple[int, int] = (21000, 22999),
        address: str = NETNS_ADDRESS,
    ) -> None:
        self.address = address
        self.dir = Path(tempfile.mkdtemp(prefix="frankly-bench-janus-"))
        self.ws_port = _free_tcp_port()
        self.rtp_ports = rtp_ports
        self.cpus = cpus
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = self.dir / "janus.log"
        self._write_config()

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.ws_port}"

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

    def start(self) -> None:
        command = [JANUS, "-C", str(self.dir / "janus.jcfg"), "-F", str(self.dir), "-o"]
        if self.cpus is not None and shutil.which("taskset"):
            # Every thread Janus starts inherits this: set it before exec.
            command = ["taskset", "-c", ",".join(map(str, sorted(self.cpus))), *command]
        with open(self.log_path, "wb") as out:
            self.proc = subprocess.Popen(
                command, stdout=out, stderr=subprocess.STDOUT, preexec_fn=die_with_parent
            )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"Janus exited at start: {self.tail()}")
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.ws_port), 0.2),
            ):
                return
            time.sleep(0.1)
        raise RuntimeError(f"Janus did not open its WebSocket port: {self.tail()}")

    def tail(self, lines: int = 15) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def problems(self) -> list[str]:
        """Error lines Janus logged."""
        return log_problems(self.log_path)

    def stop(self) -> None:
        stop_process(self.proc, self.dir)


def log_problems(path: Path) -> list[str]:
    """Lines of a server's log that say something went wrong."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return []
    marks = ("Traceback", "ERROR", "[ERR]", "Exception", "CRITICAL")
    return [line for line in text.splitlines() if any(m in line for m in marks)]


def die_with_parent() -> None:
    """preexec_fn: the kernel ends this child (SIGTERM) if the benchmark dies first."""
    import ctypes
    import signal

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _free_tcp_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


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

    name = "Janus"

    def __init__(self, engine: Engine, process: JanusProcess) -> None:
        self.engine = engine
        self.process = process
        self.api = JanusApi()
        self._admin = 0

    async def open(self, publishers: int) -> None:
        await self.api.connect(self.process.url)
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

    async def add_publisher(self, person: Participant) -> None:
        api, engine = self.api, self.engine
        handle = await api.attach()
        person.extra["pub_handle"] = handle
        join = {
            "request": "join",
            "ptype": "publisher",
            "room": ROOM,
            "id": _feed(person),
            "display": person.name,
        }
        await api.call({"janus": "message", "handle_id": handle, "body": join}, event=True)
        person.pub = engine.transport(f"{person.name}/publish")
        person.sources = engine.publish(person.pub, person.index)
        offer = publish_offer(person.pub, person.name, *person.sources)
        reply = await api.call(
            {
                "janus": "message",
                "handle_id": handle,
                "body": {"request": "publish"},
                "jsep": {"type": "offer", "sdp": offer, "trickle": False},
            },
            event=True,
        )
        answer = reply.get("jsep", {}).get("sdp")
        if not answer:
            raise JanusError(f"publish got no answer: {reply}")
        person.pub.set_remote(sdp.parse(answer), answer, we_offered=True)
        await api.trickle_done(handle)

    async def add_subscriber(self, person: Participant, feeds: list[Participant]) -> None:
        """Receive every stream of `feeds` on one peer connection."""
        api, engine = self.api, self.engine
        handle = await api.attach()
        person.extra["sub_handle"] = handle
        join = {
            "request": "join",
            "ptype": "subscriber",
            "room": ROOM,
            "streams": [{"feed": _feed(p)} for p in feeds],
        }
        reply = await api.call({"janus": "message", "handle_id": handle, "body": join}, event=True)
        text = reply.get("jsep", {}).get("sdp")
        if not text:
            raise JanusError(f"subscribe got no offer: {reply}")
        offer = sdp.parse(text)
        person.sub = engine.transport(f"{person.name}/subscribe")
        answer = subscribe_answer(person.sub, offer)
        person.sub.set_remote(offer, text, we_offered=False)
        await api.call(
            {
                "janus": "message",
                "handle_id": handle,
                "body": {"request": "start"},
                "jsep": {"type": "answer", "sdp": answer, "trickle": False},
            },
            event=True,
        )
        await api.trickle_done(handle)

    async def remove(self, person: Participant) -> None:
        for key in ("sub_handle", "pub_handle"):
            handle = person.extra.pop(key, None)
            if handle is not None:
                with contextlib.suppress(JanusError, TimeoutError):
                    await self.api.call({"janus": "detach", "handle_id": handle}, wait=5)
        for transport in person.transports():
            transport.close()

    def server_ports(self) -> set[int]:
        low, high = self.process.rtp_ports
        return set(range(low, high + 1))


def _feed(person: Participant) -> int:
    return 1000 + person.index


def cpu_count() -> int:
    return len(os.sched_getaffinity(0))


def stop_process(proc: subprocess.Popen[bytes] | None, folder: Path) -> None:
    """End a server the benchmark started (politely, then not) and remove its folder."""
    if proc is not None and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
    shutil.rmtree(folder, ignore_errors=True)
