"""A real coturn for tests: Debian's `turnserver` on a free loopback port, with
the TURN REST secret (use-auth-secret) it is given, in a folder of its own.

It relays to loopback peers (allow-loopback-peers, which production must not
set), so that browsers and the SFU on 127.0.0.1 can be reached through it.
`allocate` is a TURN Allocate (RFC 8656) made by hand, to ask coturn whether
it takes a username and password.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import random
import shutil
import socket
import struct
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from frankly.sfu import stun
from tests.waiting import wait_until

REALM = "frankly.test"
ALLOCATE = 0x0003
ALLOCATE_SUCCESS = 0x0103
ALLOCATE_ERROR = 0x0113
REQUESTED_TRANSPORT = 0x0019
REALM_ATTR = 0x0014
NONCE = 0x0015
UDP = b"\x11\x00\x00\x00"  # protocol 17 in REQUESTED-TRANSPORT


def turnserver() -> str | None:
    """The turnserver binary, if coturn is installed (`./scripts/system-deps turn`)."""
    return shutil.which("turnserver")


@dataclass
class Coturn:
    port: int
    secret: str
    folder: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"turn:127.0.0.1:{self.port}?transport=udp"

    @property
    def log(self) -> str:
        path = self.folder / "turn.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def start(self) -> None:
        """Start turnserver on this port and wait until it answers STUN."""
        binary = turnserver()
        assert binary, "coturn is not installed: ./scripts/system-deps turn"
        conf = self.folder / "turnserver.conf"
        conf.write_text(_config(self.port, self.secret, self.folder))
        os.chmod(conf, 0o600)  # it holds the secret
        with (self.folder / "stdout").open("a") as out:
            self.process = subprocess.Popen(
                [binary, "-c", str(conf)], stdout=out, stderr=subprocess.STDOUT
            )
        process = self.process

        def answers() -> bool:
            assert process.poll() is None, f"turnserver exited: {self.log}"
            return _binding_answered(self.port)

        wait_until(answers, 15, f"coturn answering STUN on 127.0.0.1:{self.port}")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def restart(self) -> None:
        """A new turnserver on the same port: every allocation the old one held is gone."""
        self.stop()
        self.start()


def _free_port() -> int:
    """A port free on loopback for both UDP and TCP (coturn listens on both)."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(("127.0.0.1", 0))
            port: int = udp.getsockname()[1]
            with socket.socket() as tcp:
                try:
                    tcp.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port


def _config(port: int, secret: str, folder: Path) -> str:
    # Relay ports from a block of 200 picked at random, apart from the ephemeral range
    # the browsers' and the SFU's own sockets come from.
    low = 20000 + 200 * random.randrange(50)
    lines = [
        "listening-ip=127.0.0.1",
        "relay-ip=127.0.0.1",
        f"listening-port={port}",
        f"min-port={low}",
        f"max-port={low + 199}",
        "use-auth-secret",
        f"static-auth-secret={secret}",
        f"realm={REALM}",
        "no-tls",
        "no-dtls",
        "no-cli",
        "no-rfc5780",
        "allow-loopback-peers",
        f"pidfile={folder / 'turn.pid'}",
        f"log-file={folder / 'turn.log'}",
        "simple-log",
        f"userdb={folder / 'turndb'}",
    ]
    return "\n".join(lines) + "\n"


@contextmanager
def running_coturn(folder: Path, secret: str) -> Iterator[Coturn]:
    """coturn on a free loopback port until the block ends."""
    folder.mkdir(parents=True, exist_ok=True)
    turn = Coturn(_free_port(), secret, folder)
    try:
        turn.start()
        yield turn
    finally:
        turn.stop()


def _binding_answered(port: int) -> bool:
    request = stun.HEADER.pack(stun.BINDING_REQUEST, 0, stun.MAGIC, os.urandom(12))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(0.2)
        sock.sendto(request, ("127.0.0.1", port))
        try:
            reply = sock.recv(2048)
        except TimeoutError:
            return False
    return stun.parse(reply).type == stun.BINDING_SUCCESS


def _message(kind: int, attrs: list[tuple[int, bytes]], key: bytes | None) -> bytes:
    """A STUN request with `attrs`, signed with MESSAGE-INTEGRITY when `key` is given."""
    transaction = os.urandom(12)
    body = b"".join(struct.pack("!HH", a, len(v)) + v + b"\x00" * (-len(v) % 4) for a, v in attrs)
    if key is None:
        return stun.HEADER.pack(kind, len(body), stun.MAGIC, transaction) + body
    head = stun.HEADER.pack(kind, len(body) + 24, stun.MAGIC, transaction)
    mac = hmac.new(key, head + body, hashlib.sha1).digest()
    return head + body + struct.pack("!HH", stun.MESSAGE_INTEGRITY, 20) + mac


def _ask(sock: socket.socket, port: int, request: bytes) -> stun.Message:
    sock.sendto(request, ("127.0.0.1", port))
    return stun.parse(sock.recv(2048))


def error_code(message: stun.Message) -> int | None:
    value = message.attributes.get(stun.ERROR_CODE)
    return None if value is None else value[2] * 100 + value[3]


def allocate(port: int, username: str, password: str) -> stun.Message:
    """coturn's final answer to an Allocate with these credentials (after its 401 challenge)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(5)
        challenge = _ask(sock, port, _message(ALLOCATE, [(REQUESTED_TRANSPORT, UDP)], None))
        assert challenge.type == ALLOCATE_ERROR and error_code(challenge) == 401, challenge
        realm, nonce = challenge.attributes[REALM_ATTR], challenge.attributes[NONCE]
        # Long-term credentials (RFC 8489 section 9.2): the key is MD5(user:realm:password).
        key = hashlib.md5(f"{username}:{realm.decode()}:{password}".encode()).digest()
        attrs = [
            (REQUESTED_TRANSPORT, UDP),
            (stun.USERNAME, username.encode()),
            (REALM_ATTR, realm),
            (NONCE, nonce),
        ]
        return _ask(sock, port, _message(ALLOCATE, attrs, key))
