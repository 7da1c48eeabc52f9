"""Who may come in: invites, the human check, passwords, join rates.

Each check either passes or raises the refusal docs/protocol.md names. The
order matters: the cheap pace check first, then the invite (which skips the
human check and the password; at a dialogue's room only an invite of that
dialogue counts, and where it has appointed representatives nobody comes in
without one), then the proof of work, which makes password
guessing expensive, then the password, hashed off the event loop.

Wrong passwords are counted per room and address, so that five of them stop
that address for a while. Loopback is not counted: behind a local proxy that
is not trusted it is everyone at once, and counting it would let one person
lock everyone else out. There, what bounds guessing is the hashing budget of
the whole server (server/passwords.py).
"""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass, replace

from frankly.protocol import messages
from frankly.protocol.errors import Close, Code, ProtocolError
from frankly.protocol.words import Msg
from frankly.rooms import DialogueMeeting, Room
from frankly.server.config import ServerConfig
from frankly.server.humancheck import HumanCheck
from frankly.server.invites import Invites
from frankly.server.limits import Attempts, KeyedBuckets
from frankly.server.meetings import Record
from frankly.server.passwords import Hasher


@dataclass(frozen=True)
class Entry:
    """Who a hello will be once in the room."""

    name: str
    role: str
    invited: bool
    meeting: str | None = None  # the meeting its invite was made in, if any
    side: str | None = None  # the dialogue side its invite names, if any
    member: str | None = None  # the dialogue member its invite was made for, if any
    interprets: tuple[str, str] | None = None  # the pair its invite makes it interpret


class Gate:
    def __init__(self, config: ServerConfig) -> None:
        self.invites = Invites(config.data_dir)
        self.human: HumanCheck | None = None
        if config.human_check:
            self.human = HumanCheck(
                config.data_dir, config.human_check_maxnumber, config.human_check_ttl
            )
        self.hasher = Hasher(
            config.hash_workers, config.hash_queue, config.hash_rate, config.hash_burst
        )
        self._hellos = KeyedBuckets(config.hello_rate, config.hello_burst)
        self._passwords = Attempts(config.password_attempts, config.password_window)

    def pace(self, address: str, now: float) -> None:
        """At most `hello_burst` hellos at once per address, refilling slowly."""
        if own_address(address) is not None and not self._hellos.take(address, now):
            raise ProtocolError(
                Code.RATE_LIMITED,
                "too many joins from this address; wait a minute",
                Msg.HELLO,
                close=Close.FLOODING,
            )

    async def entry(
        self,
        msg: messages.Hello,
        room: Room | None,
        interrupted: Record | None,
        address: str,
        now: float,
        dialogue: DialogueMeeting | None = None,
    ) -> Entry:
        """`room` is the live room, if any; else `interrupted`, a meeting a restart left.
        `dialogue`: the dialogue meeting the room holds, if it is one."""
        if msg.invite is not None:
            invited = self._invited(msg, msg.invite, room, interrupted, dialogue)
            passphrase_needed(room, msg)  # an invite lets in; it opens nothing
            return invited
        if dialogue is not None and dialogue.representatives:
            raise representatives_only()
        if self.human is not None:
            self.human.verify(msg.proof, time.time())
        if room is not None and room.password is not None:
            await self._password(room, msg.password, address, now)
        passphrase_needed(room, msg)
        return Entry(name=msg.name, role="participant", invited=False)

    def _invited(
        self,
        msg: messages.Hello,
        token: str,
        room: Room | None,
        interrupted: Record | None,
        dialogue: DialogueMeeting | None,
    ) -> Entry:
        grant = self.invites.check(token, msg.room)
        meeting, revoked = None, set[str]()
        if room is not None:
            meeting, revoked = room.meeting, room.revoked
        elif interrupted is not None:
            meeting, revoked = interrupted.id, set(interrupted.revoked)
        if grant.id is not None and grant.id in revoked:
            raise ProtocolError(Code.INVITE_REVOKED, "a host revoked this invite", Msg.HELLO)
        if grant.meeting is not None and grant.meeting != meeting:
            what = "the meeting this invite was made for is over"
            raise ProtocolError(Code.INVITE_ENDED, what, Msg.HELLO)
        name = grant.name or msg.name
        entry = Entry(
            name,
            grant.role,
            invited=True,
            meeting=grant.meeting,
            side=grant.side,
            member=grant.member,
            interprets=grant.interprets,
        )
        if dialogue is not None and grant.dialogue == dialogue.dialogue:
            if grant.member is not None and grant.member in dialogue.removed:
                what = "you are no longer a member of this dialogue"
                raise ProtocolError(Code.INVITE_REVOKED, what, Msg.HELLO)
            return entry
        if dialogue is None:
            return entry
        # An invite for the room's name (a host's, the operator's) is not the
        # dialogue's word: its holder knocks, or is refused where only the
        # appointed representatives may come in.
        if dialogue.representatives:
            raise representatives_only()
        return replace(entry, invited=False, side=None)

    async def _password(self, room: Room, given: str | None, address: str, now: float) -> None:
        if given is None:
            raise ProtocolError(
                Code.PASSWORD_REQUIRED, f"room {room.name!r} asks for a password", Msg.HELLO
            )
        own = own_address(address)
        key = (room.name, own)
        if own is not None and self._passwords.blocked(key, now):
            raise ProtocolError(
                Code.TOO_MANY_ATTEMPTS,
                "too many wrong passwords from this address; try again in a few minutes",
                Msg.HELLO,
            )
        if not await self.hasher.matches(given, room.password, own, now, Msg.HELLO):
            if own is not None:
                self._passwords.failed(key, now)
            raise ProtocolError(Code.WRONG_PASSWORD, "wrong password", Msg.HELLO)


def passphrase_needed(room: Room | None, msg: messages.Hello) -> None:
    """Refuse a hello that holds no passphrase into a room whose hosts hold one."""
    if room is not None and room.passphrase and not msg.passphrase:
        what = "this meeting is encrypted with a passphrase; enter it to join"
        raise ProtocolError(Code.PASSPHRASE_REQUIRED, what, Msg.HELLO)


def representatives_only() -> ProtocolError:
    return ProtocolError(
        Code.REPRESENTATIVES_ONLY,
        "only the appointed representatives (and the sides' leads) may attend this meeting; "
        "they enter from the dialogue's page",
        Msg.HELLO,
    )


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
