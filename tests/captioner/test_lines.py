"""The captioner's wire lines from the engine's: attribution, times, translations."""

from __future__ import annotations

from typing import Any

from frankly.captioner.program import RoomCaptioner, _Speaker
from frankly.captions.lines import CaptionLine


def engine_line(speaker: str, segment: int, text: str, **kw: Any) -> CaptionLine:
    fields: dict[str, Any] = {
        "language": "ru",
        "final": True,
        "translated": False,
        "start": 1.0,
        "end": 2.5,
        "finals_only": False,
        **kw,
    }
    return CaptionLine(speaker=speaker, segment=segment, text=text, **fields)


def captioner() -> RoomCaptioner:
    room = RoomCaptioner.__new__(RoomCaptioner)  # no room, no engine: the mapping alone
    room.speakers = {"p-boris": _Speaker("ru", added=10.0), "p-ada": _Speaker("en", added=0.0)}
    return room


def test_a_russian_final_comes_again_with_its_english() -> None:
    room = captioner()
    first = room._line(engine_line("p-boris", 3, "Спасибо."))
    assert first == {
        "speaker": "p-boris",
        "line": 3,
        "final": True,
        "text": "Спасибо.",
        "language": "ru",
        "english": None,
        "start": 11.0,  # seconds since captions started: the speaker came at 10 s
        "end": 12.5,
        "finals_only": False,
    }
    again = room._line(engine_line("p-boris", 3, "Thank you.", language="en", translated=True))
    assert again == {**first, "english": "Thank you."}
    # A translation of nothing sent, or for someone gone, is dropped.
    assert room._line(engine_line("p-boris", 3, "Again.", translated=True)) is None
    assert room._line(engine_line("p-gone", 1, "Hello.")) is None


def test_english_lines_are_their_own_english_and_partials_are_not_held() -> None:
    room = captioner()
    partial = room._line(engine_line("p-ada", 0, "we sh", language="en", final=False))
    assert partial is not None and partial["english"] == "we sh" and not partial["final"]
    assert room.speakers["p-ada"].finals == {}
