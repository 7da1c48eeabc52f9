"""One node of a cluster through Redis: its heartbeat, its rooms' claims, their Records.

What Redis holds (docs/scaling.md, "Nodes through Redis"; docs/security.md):

- `frankly:node:ID`: the node's public URL, measured load (placement.py,
  node_load.py) and draining flag, with a TTL of NODE_TTL seconds, written
  every BEAT seconds;
- `frankly:room:NAME`: the ID of the node holding the room, claimed with SET NX
  and a TTL of CLAIM_TTL refreshed by its holder at every beat;
- `frankly:meeting:NAME`: the meeting's Record (server/meetings.py) as JSON,
  written whenever meetings.py writes it, deleted when the meeting is over.

Nothing a live meeting needs waits on Redis: records are queued and written
by the beat, the welcome's node list is the last one read. Only a hello for
a room not open here asks Redis, for at most PLACE_TIMEOUT; when Redis is
away the room opens here. Failures are logged once and retried with backoff;
when Redis answers again the node registers, claims its rooms and writes
their records again (a Redis that restarted empty has lost them).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from collections.abc import Callable, Iterable
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from frankly.cluster.placement import HERE, Node, NodeLoad, Placed, choose
from frankly.server.meetings import Record

log = logging.getLogger(__name__)

BEAT = 1.0  # seconds between heartbeats
NODE_TTL = 3.0  # a node not heard of for this long is dead
CLAIM_TTL = 3.0  # a room whose holder stops refreshing is free again after this
RECORD_TTL = 24 * 3600  # a record nobody refreshes (its room gone from every node) dies
PLACE_TIMEOUT = 0.5  # the longest a hello waits on Redis before the room opens here
SOCKET_TIMEOUT = 0.5
BACKOFF_MAX = 4.0  # seconds between attempts while Redis is away: back within that

SEEN_MAX = 256  # node URLs remembered for the origin check
PREFIX = "frankly:"

# Take a room over from its dead holder, only if that one still holds it:
# two nodes may see the same holder die, and only one may win.
TAKE_OVER = """
local held = redis.call('GET', KEYS[1])
if held == false or held == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0
"""

# Refresh one's claim, or claim a room that is free (Redis restarted empty, or
# the claim lapsed in an outage); answer whom the room belongs to now.
CLAIM = """
local held = redis.call('GET', KEYS[1])
if held == false or held == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return ARGV[1]
end
return held
"""


def node_key(node_id: str) -> str:
    return f"{PREFIX}node:{node_id}"


def room_key(room: str) -> str:
    return f"{PREFIX}room:{room}"


def meeting_key(room: str) -> str:
    return f"{PREFIX}meeting:{room}"


def _text(value: str | bytes | None) -> str | None:
    """What the client gives back (decode_responses: text), typed as such."""
    return value.decode() if isinstance(value, bytes) else value


def parse_record(raw: str | bytes | None) -> Record | None:
    if raw is None:
        return None
    try:
        return Record(**json.loads(raw))
    except (ValueError, TypeError) as exc:
        log.warning("ignoring a meeting record in Redis: %s", exc)
        return None


class Cluster:
    """This node's side of the cluster; the hub asks it through placement.Placement."""

    def __init__(
        self,
        url: str,
        public_url: str,
        *,
        load: Callable[[], NodeLoad],
        draining: Callable[[], bool],
        rooms: Callable[[], Iterable[str]],
        resync: Callable[[], None],
        lends: bool = False,
    ) -> None:
        self.id = secrets.token_hex(8)
        self.lends = lends  # says so in its entry: other nodes may put rooms' parts here
        self.public_url = public_url.rstrip("/")
        self.redis = aioredis.from_url(
            url,
            socket_timeout=SOCKET_TIMEOUT,
            socket_connect_timeout=SOCKET_TIMEOUT,
            decode_responses=True,
        )
        self._load, self._draining, self._rooms, self._resync = load, draining, rooms, resync
        self.nodes: dict[str, Node] = {}  # the live nodes at the last beat, this one too
        # Every node URL seen live since start (the latest SEEN_MAX): a page loaded from a
        # node that died since comes here, and its origin must still be let in.
        self._seen: dict[str, None] = {self.public_url: None}
        self._records: dict[str, str | None] = {}  # queued: room -> record JSON, None: delete
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.up = False  # Redis answered the last beat
        self._told = False  # the outage is logged already
        self._take_over = self.redis.register_script(TAKE_OVER)
        self._claim = self.redis.register_script(CLAIM)

    # --- what the hub asks -------------------------------------------------------------

    def urls(self) -> list[str]:
        others = sorted(node.url for node in self.nodes.values() if node.id != self.id)
        return [self.public_url, *others]

    def origins(self) -> list[str]:
        """The nodes whose pages may open this node's socket: the live ones and the dead."""
        return list(self._seen)

    def view(self) -> dict[str, Any]:
        return {"node": self.id, "redis": self.up, "nodes": self.urls()}

    def keep(self, room: str, record: str | None) -> None:
        self._records[room] = record
        self._wake.set()

    async def place(self, room: str) -> Placed:
        if not self.up:  # away: the beat retries; a hello does not wait for it
            return HERE
        try:
            async with asyncio.timeout(PLACE_TIMEOUT):
                return await self._place(room)
        except (RedisError, OSError, TimeoutError) as exc:
            self._lost(exc)
            return HERE

    async def _place(self, room: str) -> Placed:
        held, raw = await self.redis.mget(room_key(room), meeting_key(room))
        holder = _text(held)
        if holder is None or (holder != self.id and holder not in self.nodes):
            holder = await self._claim_for(room, holder)
        record = parse_record(raw)
        if holder == self.id:
            return Placed(None, record)
        node = self.nodes.get(holder) if holder is not None else None
        if node is None:  # every node drains, or it vanished meanwhile: here
            return Placed(None, record)
        return Placed(node.url, None)

    async def _claim_for(self, room: str, dead: str | None) -> str | None:
        """Claim a free room (or one whose holder died) for the node placement picks."""
        chosen = choose(self.nodes.values(), self.id)
        if chosen is None:
            return None
        ttl = int(CLAIM_TTL * 1000)
        if dead is None:
            won = await self.redis.set(room_key(room), chosen.id, px=ttl, nx=True)
        else:
            log.info("room holder %s is gone: room goes to %s", dead, chosen.id)
            won = await self._take_over(keys=[room_key(room)], args=[dead, chosen.id, ttl])
        if won:
            return chosen.id
        return _text(await self.redis.get(room_key(room)))  # another node was quicker

    # --- the beat ------------------------------------------------------------------------

    async def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        """Leave the registry at once (a clean stop): the others need not wait for the TTL."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        with contextlib.suppress(RedisError, OSError, TimeoutError):
            async with asyncio.timeout(PLACE_TIMEOUT):
                await self._flush()
                await self.redis.delete(node_key(self.id))
        await self.redis.aclose()

    async def _run(self) -> None:
        delay = BEAT
        while True:
            try:
                await self.beat()
                delay = BEAT
            except (RedisError, OSError, TimeoutError) as exc:
                self._lost(exc)
                delay = min(max(delay * 2, BEAT), BACKOFF_MAX)
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(delay if not self.up else BEAT):
                    await self._wake.wait()

    async def beat(self) -> None:
        """Register, refresh the claims, write the queued records, read who is live."""
        if not self.up:
            self._resync()  # every local record again: Redis may have restarted empty
        rooms = sorted(self._rooms())
        async with asyncio.timeout(BEAT * 2):
            draining = self._draining()
            entry = Node(
                self.id, self.public_url, self._load(), draining, self.lends and not draining
            )
            await self.redis.set(node_key(self.id), entry.dump(), px=int(NODE_TTL * 1000))
            await self._claim_all(rooms)
            await self._flush(rooms)
            self.nodes = await self._live()
        for node in self.nodes.values():
            self._seen.pop(node.url, None)
            self._seen[node.url] = None  # the latest last
        while len(self._seen) > SEEN_MAX:
            del self._seen[next(iter(self._seen))]
        if not self.up:
            self._told = False
            log.info("cluster: node %s registered in Redis as %s", self.id, self.public_url)
        self.up = True

    async def _claim_all(self, rooms: list[str]) -> None:
        """Refresh this node's claims, one round trip for all its rooms."""
        if not rooms:
            return
        pipe = self.redis.pipeline(transaction=False)
        for room in rooms:
            await self._claim(
                keys=[room_key(room)], args=[self.id, int(CLAIM_TTL * 1000)], client=pipe
            )
        holders = await pipe.execute()
        for room, held in zip(rooms, holders, strict=True):
            if held != self.id:  # split during an outage: nobody is moved by force
                log.warning("room %s is open here and on node %s", room, held)

    async def _flush(self, rooms: Iterable[str] = ()) -> None:
        queued, self._records = self._records, {}
        try:
            pipe = self.redis.pipeline(transaction=False)
            for room, record in queued.items():
                if record is None:
                    pipe.delete(meeting_key(room))
                else:
                    pipe.set(meeting_key(room), record, ex=RECORD_TTL)
            for room in rooms:
                if room not in queued:
                    pipe.expire(meeting_key(room), RECORD_TTL)
            await pipe.execute()
        except BaseException:
            for room, record in queued.items():  # written at the next beat, unless newer ones came
                self._records.setdefault(room, record)
            raise

    async def _live(self) -> dict[str, Node]:
        keys = [key async for key in self.redis.scan_iter(match=node_key("*"), count=100)]
        if not keys:
            return {}
        values = await self.redis.mget(keys)
        live = {}
        for key, raw in zip(keys, values, strict=True):
            node_id = key.removeprefix(node_key(""))
            node = Node.parse(node_id, raw)
            if node is not None:
                live[node_id] = node
        return live

    def _lost(self, exc: BaseException) -> None:
        if not self._told:  # once per outage, not once a second
            self._told = True
            log.warning("cluster: Redis is away (%r); meetings go on, new rooms open here", exc)
        self.up = False
