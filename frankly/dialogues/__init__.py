"""Dialogues: talks between sides over several meetings, as pure rules.

No I/O here: no database, no HTTP, no clock (`now` is an argument). Leaves
first: words (state words), errors (DialogueError and its codes), model
(the records), texts (what a text may hold), zones (time zones), lookups
(records checked to belong to the dialogue). Rules on top of them: access
(who may do what), meetings (founding, meetings, follow-ups,
representatives), schedule (dates to agree), readouts (revisions and
publishing), comments (readers' comments on a public readout), points
(agreed points), render (Markdown to safe HTML), ics (a calendar file).
docs/dialogues.md describes them.
"""

from frankly.dialogues.errors import DialogueCode, DialogueError

__all__ = ["DialogueCode", "DialogueError"]
