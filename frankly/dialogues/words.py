"""The dialogue plane's state words, each written once.

Storage, the service and the REST API take these from here, so that a state
stored in the database, checked by a rule and sent to a client is the same
string everywhere. Plain Python: no imports of the project.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

# Where a proposed time stands. Only an open proposal can change, once.
ProposalState = Literal["open", "accepted", "declined", "withdrawn"]
PROPOSAL_STATES: Final[tuple[str, ...]] = get_args(ProposalState)

# What is known of a meeting's date: to be agreed, as soon as possible,
# by a given day, or scheduled at an instant (UTC).
DateKind = Literal["tba", "asap", "by", "scheduled"]
DATE_KINDS: Final[tuple[str, ...]] = get_args(DateKind)

# Where a reader's comment on a public readout stands: held until the side's
# lead approves it.
CommentState = Literal["held", "approved"]
COMMENT_STATES: Final[tuple[str, ...]] = get_args(CommentState)
