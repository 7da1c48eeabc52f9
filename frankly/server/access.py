"""Who may come in: invites, the human check, passwords, join rates.

Each check either passes or raises the refusal docs/protocol.md names. The
order matters: the cheap pace check first, then the invite (which skips the
human check and the password), then the proof of work, which makes password
guessing expensive, then the password.
"""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass

from frankly.protocol import messages
from frankly.protocol.errors import Close, Code, ProtocolError
from frankly.rooms import Room
from frankly.server.config import ServerConfig
from frankly.server.humancheck import HumanCheck
from frankly.server.invites import Invites
from frankly.server.limits import Attempts, KeyedBuckets


@dataclass(frozen=True)
class Entry:
    """Who a hello will be once in the room."""

    name: str
    role: str
    invited: bool


class Gate:
    def __init__(self, config: ServerConfig) -> None:
        self.invites = Invites(config.data_dir)
        self.human: HumanCheck | None = None
        if config.human_check:
            self.human = HumanCheck(
                config.data_dir, config.human_check_maxnumber, config.human_check_ttl
            )
        self._hellos = KeyedBuckets(config.hello_rate, config.hello_burst)
        self._passwords = Attempts(config.password_attempts, config.password_window)

    def pace(self, address: str, now: float) -> None:
        """At most `hello_burst` hellos at once per address, refilling slowly."""
        if own_address(address) is not None and not self._hellos.take(address, now):
            raise ProtocolError(
                Code.RATE_LIMITED,
                "too many joins from this address; wait a minute",
                "hello",
                close=Close.FLOODING,
            )

    def entry(self, msg: messages.Hello, room: Room | None, address: str, now: float) -> Entry:
        if msg.invite is not None:
            grant = self.invites.check(msg.invite, msg.room)
            return Entry(name=grant.name or msg.name, role=grant.role, invited=True)
        if self.human is not None:
            self.human.verify(msg.proof, time.time())
        if room is not None and room.has_password:
            self._password(room, msg.password, address, now)
        return Entry(name=msg.name, role="participant", invited=False)

    def _password(self, room: Room, given: str | None, address: str, now: float) -> None:
        if given is None:
            raise ProtocolError(
                Code.PASSWORD_REQUIRED, f"room {room.name!r} asks for a password", "hello"
            )
        key = (room.name, address)
        if self._passwords.blocked(key, now):
            raise ProtocolError(
                Code.TOO_MANY_ATTEMPTS,
                "too many wrong passwords from this address; try again in a few minutes",
                "hello",
            )
        if not room.check_password(given):
            self._passwords.failed(key, now)
            raise ProtocolError(Code.WRONG_PASSWORD, "wrong password", "hello")


def own_address(address: str) -> str | None:
    """The address if it is one person's; None for loopback.

    A loopback peer is this machine: a local tool, or a reverse proxy whose
    clients cannot be told apart without --trust-proxy. Limiting or banning
    it would limit or ban everyone at once.
    """
    try:
        return None if ipaddress.ip_address(address).is_loopback else address
    except ValueError:
        return None
