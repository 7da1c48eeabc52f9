"""Dates to agree: proposing, accepting, declining, withdrawing and moving a meeting's time.

A meeting starts as to be agreed (`tba`, `asap` or `by` a day). A member of
an invited side proposes an instant; a member of another side accepts it and
the meeting is scheduled, or declines it; the proposing side may withdraw it.
Accepting closes every other open proposal of the meeting (the other sides'
are declined, the accepting side's own withdrawn), so that no stale choice is
left to accept. A scheduled meeting is moved the same way: a new proposal,
accepted again. Each function takes the meeting, its proposals, the member
`access` vouched for and `now`, and returns the new records; nothing changes
when it raises.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Final

from frankly.dialogues import access
from frankly.dialogues.errors import DialogueCode, DialogueError
from frankly.dialogues.model import Meeting, Member, Proposal, Side, require_utc, scheduled
from frankly.dialogues.words import ProposalState

# A side may keep a few times on the table at once, not a flood of them.
MAX_OPEN_PER_SIDE: Final = 10
# Nobody agrees a date further out than this; a typo of a year is refused.
FURTHEST: Final = timedelta(days=2 * 366)


@dataclass(frozen=True, slots=True)
class Decision:
    """What accepting a proposal changes: the meeting, and every proposal whose state moved."""

    meeting: Meeting
    proposals: tuple[Proposal, ...]


def find(proposals: Iterable[Proposal], proposal_id: str) -> Proposal:
    for proposal in proposals:
        if proposal.id == proposal_id:
            return proposal
    raise DialogueError(DialogueCode.UNKNOWN_PROPOSAL, "no such proposal for this meeting")


def propose(
    meeting: Meeting,
    proposals: Iterable[Proposal],
    member: Member | None,
    sides: Mapping[str, Side],
    at: datetime,
    now: datetime,
    new_id: str,
) -> Proposal:
    """A new open proposal of `at` by `member`'s side (also how a scheduled meeting is moved)."""
    proposer = access.invited(member, meeting, sides)
    _future(require_utc(at, "a proposed time"), now)
    if at > now + FURTHEST:
        raise DialogueError(DialogueCode.BAD_DATE, "a proposed time is at most two years ahead")
    mine = [p for p in proposals if p.side == proposer.side and p.state == "open"]
    if len(mine) >= MAX_OPEN_PER_SIDE:
        raise DialogueError(
            DialogueCode.TOO_MANY_PROPOSALS,
            f"your side has {MAX_OPEN_PER_SIDE} open proposals; withdraw one first",
        )
    if any(p.at == at for p in mine):
        raise DialogueError(DialogueCode.BAD_DATE, "your side has already proposed this time")
    return Proposal(new_id, meeting.id, proposer.side, at, "open", proposer.id)


def accept(
    meeting: Meeting,
    proposals: Iterable[Proposal],
    proposal_id: str,
    member: Member | None,
    sides: Mapping[str, Side],
    now: datetime,
) -> Decision:
    """The meeting scheduled at an open proposal of another side; the other open ones closed."""
    everything = tuple(proposals)
    chosen = _answerable(everything, proposal_id, member, meeting, sides, "accept")
    _future(chosen.at, now)
    accepter = access.invited(member, meeting, sides)
    changed = [_decided(chosen, "accepted", accepter)]
    for other in everything:
        if other.state == "open" and other.id != chosen.id:
            state: ProposalState = "withdrawn" if other.side == accepter.side else "declined"
            changed.append(_decided(other, state, accepter))
    return Decision(replace(meeting, date=scheduled(chosen.at)), tuple(changed))


def decline(
    meeting: Meeting,
    proposals: Iterable[Proposal],
    proposal_id: str,
    member: Member | None,
    sides: Mapping[str, Side],
) -> Proposal:
    """An open proposal of another side, declined."""
    chosen = _answerable(tuple(proposals), proposal_id, member, meeting, sides, "decline")
    return _decided(chosen, "declined", access.invited(member, meeting, sides))


def withdraw(
    meeting: Meeting,
    proposals: Iterable[Proposal],
    proposal_id: str,
    member: Member | None,
    sides: Mapping[str, Side],
) -> Proposal:
    """An open proposal of `member`'s own side, withdrawn."""
    withdrawer = access.invited(member, meeting, sides)
    chosen = _open(find(proposals, proposal_id))
    if chosen.side != withdrawer.side:
        raise DialogueError(
            DialogueCode.NOT_YOUR_SIDE,
            "only the side that proposed a time may withdraw it; decline it instead",
        )
    return _decided(chosen, "withdrawn", withdrawer)


def _answerable(
    proposals: tuple[Proposal, ...],
    proposal_id: str,
    member: Member | None,
    meeting: Meeting,
    sides: Mapping[str, Side],
    verb: str,
) -> Proposal:
    answerer = access.invited(member, meeting, sides)
    chosen = _open(find(proposals, proposal_id))
    if chosen.side == answerer.side:
        raise DialogueError(
            DialogueCode.OWN_PROPOSAL,
            f"a side cannot {verb} its own proposal; another side answers it",
        )
    return chosen


def _open(proposal: Proposal) -> Proposal:
    if proposal.state != "open":
        raise DialogueError(
            DialogueCode.PROPOSAL_NOT_OPEN,
            f"this proposal was {proposal.state}; only an open proposal can change",
        )
    return proposal


def _future(at: datetime, now: datetime) -> None:
    if at <= now:
        raise DialogueError(DialogueCode.PROPOSAL_IN_THE_PAST, "this time has already passed")


def _decided(proposal: Proposal, state: ProposalState, member: Member) -> Proposal:
    return replace(proposal, state=state, decided_by=member.id)
