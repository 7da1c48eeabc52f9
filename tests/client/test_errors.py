"""FranklyError from the server's errors and closes, and the close codes that are final."""

from __future__ import annotations

from frankly.client import FranklyError
from frankly.client.vocabulary import FINAL_CLOSE_CODES


def test_franklyerror_from_messages_and_closes() -> None:
    err = FranklyError.from_message(
        {"type": "error", "code": "room-full", "message": "full", "ref": "hello"}
    )
    assert (err.code, err.message, err.ref) == ("room-full", "full", "hello")
    assert FranklyError.from_close(4000).code == "replaced"
    assert FranklyError.from_close(4422).code == "closed"
    assert FranklyError.from_close(None).close_code is None


def test_guarded_rooms_end_for_good() -> None:
    assert {4401, 4403, 4410} <= FINAL_CLOSE_CODES
    ended = FranklyError.from_close(4410)
    assert (ended.code, ended.close_code) == ("meeting-ended", 4410)
