"""Interpretation in one room: interpreters and their booths, the room's languages, who hears what.

Pure state, no I/O (docs/protocol.md, "Interpretation"). A host makes a
participant the interpreter of a language pair; the interpreters of one pair
form its **booth** (at most `BOOTH_SIZE`). A booth speaks into one language of
its pair at a time (`Booth.into`, its direction), and one member at a time is
**live**: only the live member's channel track reaches that language's
listeners. The room's languages are the union of its booths' pairs.

A booth's state machine (each transition one call here, made by the server
on one message, so that no packet is routed in between):

    idle     (live None)  --assign first member-->          live(a)
    live(a)  --handover(b), b sending its channel-->        live(b)
    live(a)  --a unassigned or gone, b left in the booth--> live(b)
    live(a)  --a unassigned or gone, nobody left-->         (the booth is gone)
    into x   --direction(y), y in the pair, no booth into y--> into y

Everyone else chooses a channel: the floor (the original) or one of the
room's languages. An interpreter's choice of a language is their **relay**:
they interpret from that channel instead of the floor; never from the
channel they speak into. A choice whose language goes (its last interpreter
left) falls back to the floor.

Refusals raise `Refused`, whose `why` the server maps to an error code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

FLOOR = "floor"  # as frankly.protocol.words.FLOOR; rooms import nothing of the protocol
BOOTH_SIZE = 2
MAX_INTERPRETERS = 20

Why = Literal[
    "booth-full",  # the pair's booth holds BOOTH_SIZE already
    "too-many",  # the room has MAX_INTERPRETERS
    "not-interpreter",
    "unknown-language",  # not a channel of the room, or not in the booth's pair
    "channel-busy",  # another booth speaks into that language
    "own-channel",  # relay from the channel one speaks into
    "no-partner",  # a hand-over in a booth of one, or to someone outside it
]


class Refused(Exception):
    def __init__(self, why: Why, message: str) -> None:
        super().__init__(message)
        self.why = why
        self.message = message


@dataclass
class Booth:
    pair: tuple[str, str]  # as the first host gave it: its first direction is into pair[1]
    members: list[str] = field(default_factory=list)  # in order of assignment
    live: str | None = None
    into: str | None = None  # None: speaking into no channel (both were taken)

    def public(self) -> dict[str, Any]:
        return {
            "pair": list(self.pair),
            "members": list(self.members),
            "live": self.live,
            "into": self.into,
        }


@dataclass
class Interpretation:
    booths: list[Booth] = field(default_factory=list)
    # Participant id -> the channel they chose; absent: the floor.
    listening: dict[str, str] = field(default_factory=dict)
    # Interpreter id -> the id of the track they publish their channel on
    # (the msid track id), which the SFU tells from their microphone by;
    # kept when the role is taken back, so that track never reaches the floor.
    tracks: dict[str, str] = field(default_factory=dict)
    # A meeting continued after a restart: the pair of each interpreter not
    # back yet, by the hash of their resume token (server/meetings.py).
    returning: dict[str, tuple[str, str]] = field(default_factory=dict)

    # --- reading ----------------------------------------------------------------

    def languages(self) -> list[str]:
        """The room's channels besides the floor, sorted."""
        return sorted({lang for booth in self.booths for lang in booth.pair})

    def booth_of(self, pid: str) -> Booth | None:
        return next((b for b in self.booths if pid in b.members), None)

    def channel_of(self, pid: str) -> str:
        return self.listening.get(pid, FLOOR)

    @property
    def active(self) -> bool:
        """Whether the room has an interpreter (and so must run on the SFU)."""
        return bool(self.booths)

    def feeds(self) -> dict[str, tuple[str | None, bool]]:
        """Each interpreter: the channel their track goes into, and whether it is live."""
        return {
            pid: (booth.into, pid == booth.live) for booth in self.booths for pid in booth.members
        }

    def public(self) -> dict[str, Any]:
        """What everyone in the room is told (`interpretation`, `welcome.interpretation`)."""
        relay = {pid: ch for pid, ch in self.listening.items() if self.booth_of(pid) is not None}
        return {
            "languages": self.languages(),
            "booths": [booth.public() for booth in self.booths],
            "relay": relay,
        }

    # --- a host's decisions ---------------------------------------------------------

    def assign(self, pid: str, pair: tuple[str, str]) -> Booth:
        """Make `pid` an interpreter of `pair` (moving them from another booth)."""
        booth = self._booth(pair)
        if booth is not None and pid in booth.members:
            return booth
        if booth is not None and len(booth.members) >= BOOTH_SIZE:
            what = f"the {'-'.join(booth.pair)} booth has {BOOTH_SIZE} interpreters already"
            raise Refused("booth-full", what)
        others = sum(len(b.members) for b in self.booths) - (self.booth_of(pid) is not None)
        if booth is None and others >= MAX_INTERPRETERS:
            raise Refused("too-many", f"a room has at most {MAX_INTERPRETERS} interpreters")
        self._leave_booth(pid)  # moving from another pair
        if booth is None:
            booth = Booth(pair, into=self._free(pair[1], pair[0]))
            self.booths.append(booth)
        booth.members.append(pid)
        if booth.live is None:
            booth.live = pid
        self._relay_ok(pid)
        self._fall_back()  # after: a language the new booth serves is not lost
        return booth

    def unassign(self, pid: str) -> bool:
        """`pid` is no interpreter now (unassigned, or gone); False if they were none.

        Its channel track stays known as one: it goes to nobody, rather than
        to the floor, until they stop sending it.
        """
        if not self._leave_booth(pid):
            return False
        self._fall_back()
        return True

    def forget(self, pid: str) -> bool:
        """`pid` left the room; True if the interpretation changed."""
        self.listening.pop(pid, None)
        self.tracks.pop(pid, None)
        return self.unassign(pid)

    # --- an interpreter's doings ----------------------------------------------------

    def direction(self, pid: str, into: str) -> Booth:
        """The booth of `pid` speaks into `into` from now on."""
        booth = self._member(pid)
        if into not in booth.pair:
            what = f"the {'-'.join(booth.pair)} booth cannot speak into {into!r}"
            raise Refused("unknown-language", what)
        other = next((b for b in self.booths if b is not booth and b.into == into), None)
        if other is not None:
            what = f"the {'-'.join(other.pair)} booth speaks into {into!r} now"
            raise Refused("channel-busy", what)
        booth.into = into
        for member in booth.members:
            if self.listening.get(member) == into:  # one never relays from oneself
                del self.listening[member]
        return booth

    def handover(self, pid: str, to: str | None) -> tuple[Booth, str]:
        """Who would be live after `pid` hands over (to `to`, else the other member).

        From the live member it gives the channel away; from another member it
        takes it (`to` None or themselves). Nothing changes until `go_live`.
        """
        booth = self._member(pid)
        if to is None:
            others = [m for m in booth.members if m != booth.live]
            to = pid if pid != booth.live else (others[0] if others else None)
        if to is None or to not in booth.members:
            what = "a hand-over goes to the other interpreter of your booth"
            raise Refused("no-partner", what)
        return booth, to

    def go_live(self, booth: Booth, pid: str) -> None:
        booth.live = pid

    def set_track(self, pid: str, track_id: str) -> None:
        self._member(pid)
        self.tracks[pid] = track_id

    # --- everyone ----------------------------------------------------------------

    def listen(self, pid: str, channel: str) -> None:
        """`pid` hears `channel` from now on (for an interpreter, their relay)."""
        if channel != FLOOR and channel not in self.languages():
            served = ", ".join(self.languages()) or "none"
            what = f"no interpreter serves {channel!r} here (the room's languages: {served})"
            raise Refused("unknown-language", what)
        booth = self.booth_of(pid)
        if booth is not None and channel == booth.into:
            what = f"you speak into {channel!r}: relay from another channel"
            raise Refused("own-channel", what)
        if channel == FLOOR:
            self.listening.pop(pid, None)
        else:
            self.listening[pid] = channel

    # --- internals --------------------------------------------------------------

    def _leave_booth(self, pid: str) -> bool:
        booth = self.booth_of(pid)
        if booth is None:
            return False
        booth.members.remove(pid)
        if booth.live == pid:
            booth.live = booth.members[0] if booth.members else None
        if not booth.members:
            self.booths.remove(booth)
        return True

    def _booth(self, pair: tuple[str, str]) -> Booth | None:
        return next((b for b in self.booths if set(b.pair) == set(pair)), None)

    def _member(self, pid: str) -> Booth:
        booth = self.booth_of(pid)
        if booth is None:
            raise Refused("not-interpreter", "only an interpreter may do this")
        return booth

    def _free(self, *choices: str) -> str | None:
        taken = {b.into for b in self.booths}
        return next((c for c in choices if c not in taken), None)

    def _relay_ok(self, pid: str) -> None:
        booth = self.booth_of(pid)
        if booth is not None and booth.into is not None and self.listening.get(pid) == booth.into:
            del self.listening[pid]

    def _fall_back(self) -> list[str]:
        """Choices of languages the room no longer has go back to the floor."""
        served = set(self.languages())
        gone = [pid for pid, ch in self.listening.items() if ch not in served]
        for pid in gone:
            del self.listening[pid]
        return gone


def changed_choices(
    before: Mapping[str, str], after: Mapping[str, str], pids: Iterable[str]
) -> list[str]:
    """Who of `pids` hears another channel `after` than `before`."""
    return [pid for pid in pids if before.get(pid, FLOOR) != after.get(pid, FLOOR)]
