"""The SDK and the web client agree: frankly/web/e2ee's own code, run in Node.

The web client's encryption needs only WebCrypto, which Node has (its frame
worker aside), so the browser's code runs here beside frankly.client.e2ee: the
leaf modules compute the same sealed frames, key schedule and safety codes,
byte for byte, and the page's `E2ee` runs the key exchange with the SDK's.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from frankly.client.e2ee import E2ee, sframe
from frankly.client.e2ee.safety import safety_code

WEB = Path(__file__).parents[3] / "frankly" / "web"
NODE = shutil.which("node")

BASE = bytes(range(32))
PUB_A = bytes([4]) + bytes(range(64))
PUB_B = bytes([4]) + bytes(range(100, 164))
KEYFRAME = bytes([0x10, 0x02, 0x00, 0x9D, 0x01, 0x2A, 0x80, 0x02, 0xE0, 0x01]) + bytes(range(200))
CASES: list[tuple[str, int, int, sframe.Kind, bytes]] = [
    # participant, generation, ctr, kind, frame
    ("p-5b1e0c7d2a", 0, 0, "video", KEYFRAME),
    ("p-5b1e0c7d2a", 3, 1234567, "video", bytes([0x31, 0x01, 0x00]) + b"delta" * 40),
    ("p-0000000001", 0xFFFFFF, 7, "audio", bytes([0x78]) + b"opus" * 25),
]

DRIVER = """
import { encodeHeader, kidFor, frameKey, seal, ratchet, chatBase, roomSecret, passphraseBase,
         clearLength } from './e2ee/sframe.js';
import { safetyCode } from './e2ee/safety.js';

const input = JSON.parse(process.argv[2]);
const hex = (b) => Buffer.from(b).toString('hex');
const bytes = (h) => Uint8Array.from(Buffer.from(h, 'hex'));
const out = { frames: [], headers: [] };
const base = bytes(input.base);
for (const [pid, gen, ctr, kind, frame] of input.cases) {
  const data = bytes(frame);
  const fk = await frameKey(base, kidFor(pid, gen));
  out.frames.push(hex(await seal(fk, BigInt(ctr), data, clearLength(kind, data))));
}
for (const [kid, ctr] of input.headers) {
  out.headers.push(hex(encodeHeader(BigInt(kid), BigInt(ctr))));
}
out.ratchet = hex(await ratchet(base));
out.chat = hex(await chatBase(base));
const secret = await roomSecret(input.passphrase, input.room);
out.secret = hex(secret);
out.sender = hex(await passphraseBase(secret, input.cases[0][0]));
const code = await safetyCode('p-00000000b2', bytes(input.pubB), 'p-00000000a1', bytes(input.pubA));
out.safety = code.map(([emoji, name]) => [emoji, name]);
console.log(JSON.stringify(out));
"""


@pytest.fixture(scope="module")
def web_code(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the web client's encryption modules that Node loads as ES modules."""
    if NODE is None:
        pytest.skip("node is not installed (it comes with the web client's checks: make test)")
    work = tmp_path_factory.mktemp("web")
    shutil.copytree(WEB / "e2ee", work / "e2ee")
    shutil.copy(WEB / "emitter.js", work / "emitter.js")
    (work / "package.json").write_text('{"type": "module"}')
    return work


@pytest.fixture(scope="module")
def web(web_code: Path) -> dict[str, Any]:
    """What the browser's leaf modules compute for the inputs below."""
    assert NODE is not None
    (web_code / "driver.js").write_text(DRIVER)
    given = {
        "base": BASE.hex(),
        "cases": [[pid, gen, ctr, kind, frame.hex()] for pid, gen, ctr, kind, frame in CASES],
        "headers": [[str(k), str(c)] for k, c in HEADERS],
        "passphrase": "correct horse ✓",
        "room": "team-sync",
        "pubA": PUB_A.hex(),
        "pubB": PUB_B.hex(),
    }
    done = subprocess.run(
        [NODE, "driver.js", json.dumps(given)],
        cwd=web_code,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


HEADERS = [(0, 0), (7, 8), (0x123, 0x4567), (1 << 63, (1 << 64) - 1), (0x5B1E0C7D2A << 24, 9)]


def test_frames_sealed_in_the_browser_are_sealed_alike_here(web: dict[str, Any]) -> None:
    for (pid, gen, ctr, kind, frame), theirs in zip(CASES, web["frames"], strict=True):
        fk = sframe.frame_key(BASE, sframe.kid_for(pid, gen))
        clear = sframe.clear_length(kind, frame)
        assert sframe.seal(fk, ctr, frame, clear).hex() == theirs
        assert sframe.unseal(fk, bytes.fromhex(theirs), clear) == frame


def test_headers_alike(web: dict[str, Any]) -> None:
    assert [sframe.encode_header(k, c).hex() for k, c in HEADERS] == web["headers"]


def test_key_schedule_alike(web: dict[str, Any]) -> None:
    assert sframe.ratchet(BASE).hex() == web["ratchet"]
    assert sframe.chat_base(BASE).hex() == web["chat"]
    secret = sframe.room_secret("correct horse ✓", "team-sync")
    assert secret.hex() == web["secret"]
    assert sframe.passphrase_base(secret, CASES[0][0]).hex() == web["sender"]


def test_safety_codes_alike(web: dict[str, Any]) -> None:
    code = safety_code("p-00000000a1", PUB_A, "p-00000000b2", PUB_B)
    assert [list(pair) for pair in zip(code.emoji, code.names, strict=True)] == web["safety"]


# The browser's page-side E2ee, as a peer: commands on stdin, what it sends and answers on stdout.
PEER = """
import { createInterface } from 'node:readline';

globalThis.Worker = class { postMessage() {} terminate() {} };  // frames are not its part here
const { E2ee } = await import('./e2ee/keys.js');
const [selfId, peerId] = process.argv.slice(2);
const say = (m) => process.stdout.write(JSON.stringify(m) + '\\n');
const e2ee = new E2ee({ room: 'interop', send: (to, payload) => say({ op: 'send', to, payload }) });
e2ee.start(selfId);
e2ee.peerAdded(peerId, true);
for await (const line of createInterface({ input: process.stdin })) {
  const m = JSON.parse(line);
  if (m.op === 'handle') e2ee.handle(m.from, m.payload);
  else if (m.op === 'state') {
    await e2ee.inbox;
    const code = await e2ee.safetyCode(peerId);
    say({ op: 'state', state: e2ee.pairState(peerId), code: code && code.map(([e]) => e) });
  } else if (m.op === 'seal') say({ op: 'sealed', sealed: await e2ee.sealChat(m.text) });
  else if (m.op === 'seal-for') {
    say({ op: 'booth-sealed', sealed: await e2ee.sealFor(peerId, m.text) });
  } else if (m.op === 'open-from') {
    say({ op: 'booth-opened', text: await e2ee.openFrom(m.from, m.sealed) });
  }
  else if (m.op === 'open') {
    say({ op: 'opened', text: await e2ee.openChat(m.from, m.id, m.sealed) });
  }
}
"""
BROWSER, SDK = "p-00000000b0", "p-00000000a0"


class BrowserPeer:
    """The web client's E2ee in Node, its `e2ee` messages relayed to and from an SDK E2ee."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.sdk = E2ee(self.to_browser)

    def to_browser(self, to: str, payload: dict[str, Any]) -> None:
        assert to == BROWSER and self.process.stdin is not None
        message = {"op": "handle", "from": SDK, "payload": payload}
        self.process.stdin.write((json.dumps(message) + "\n").encode())

    async def ask(self, reply: str, **command: Any) -> dict[str, Any]:
        """Send a command; relay what the browser sends meanwhile; return its reply."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write((json.dumps(command) + "\n").encode())
        while True:
            line = await asyncio.wait_for(self.process.stdout.readline(), 10)
            assert line, "the browser's E2ee ended"
            message = json.loads(line)
            if message["op"] == "send":
                assert message["to"] == SDK
                self.sdk.handle(BROWSER, message["payload"])
            elif message["op"] == reply:
                return message


async def test_the_sdk_and_the_browser_exchange_keys_and_chat(web_code: Path) -> None:
    assert NODE is not None
    (web_code / "peer.js").write_text(PEER)
    process = await asyncio.create_subprocess_exec(
        NODE, "peer.js", BROWSER, SDK, cwd=web_code,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        peer = BrowserPeer(process)
        sdk = peer.sdk
        sdk.start(SDK)
        sdk.peer_added(BROWSER, late=False)  # the browser came after the SDK
        for _ in range(50):
            state = await peer.ask("state", op="state")
            if state["state"] == "ready" and sdk.state(BROWSER) == "ready":
                break
        assert state["state"] == sdk.state(BROWSER) == "ready"
        code = sdk.safety_code(BROWSER)
        assert code is not None and list(code.emoji) == state["code"]

        sealed = (await peer.ask("sealed", op="seal", text="from the browser ✓"))["sealed"]
        assert await sdk.open_chat(BROWSER, 1, sealed) == "from the browser ✓"
        assert await sdk.open_chat(BROWSER, 2, sealed) is False  # a replay
        assert await sdk.open_chat(SDK, 3, sealed) is False  # said to be someone else's
        from_sdk = sdk.seal_chat("from the SDK")
        opened = await peer.ask("opened", op="open", sealed=from_sdk, id=4, **{"from": SDK})
        assert opened["text"] == "from the SDK"
        again = await peer.ask("opened", op="open", sealed=from_sdk, id=5, **{"from": SDK})
        assert again["text"] is False
        relabelled = await peer.ask("opened", op="open", sealed=from_sdk, id=6, **{"from": BROWSER})
        assert relabelled["text"] is False

        # Booth lines, sealed with the pair key, open across the two: once.
        line = (await peer.ask("booth-sealed", op="seal-for", text="yours ✓"))["sealed"]
        assert sdk.open_from(BROWSER, line) == "yours ✓"
        assert sdk.open_from(BROWSER, line) is None  # a replay
        to_browser = sdk.seal_for(BROWSER, "mine")
        opened = await peer.ask("booth-opened", op="open-from", sealed=to_browser, **{"from": SDK})
        assert opened["text"] == "mine"
        again = await peer.ask("booth-opened", op="open-from", sealed=to_browser, **{"from": SDK})
        assert again["text"] is None
        # Bound to its sender and reader: the browser's own line does not open as the SDK's.
        mine = await peer.ask("booth-opened", op="open-from", sealed=line, **{"from": SDK})
        assert mine["text"] is None
    finally:
        if process.stdin is not None:
            process.stdin.close()
        await asyncio.wait_for(process.wait(), 10)
