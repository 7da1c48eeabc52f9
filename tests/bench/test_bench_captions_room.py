"""`frankly bench captions --room` on one short clip, so that it cannot rot.

Its figures are not checked against the targets here (speed belongs in
docs/benchmarks.md, not in a timed test): only that the report has its
shape and that the clip's lines reached the listener through the room.
"""

from __future__ import annotations

import pytest

from frankly.bench.captions_room import run

pytestmark = pytest.mark.timeout(240)


def test_a_clip_said_in_a_real_room_reaches_the_listener_as_caption_lines(
    capsys: pytest.CaptureFixture[str],
) -> None:
    result = run(clips=1)
    (turn,) = result.turns
    assert (turn.name, result.model, result.threads) == ("Alice", "tiny.en", 2)
    assert turn.finals >= 1 and turn.first_line is not None and turn.final is not None
    assert turn.wer is not None and turn.wer <= 0.5, turn.heard  # the clip's words, roughly
    assert result.first_lines == [turn.first_line] and result.finals == [turn.final]
    out = capsys.readouterr().out
    assert "| speech start → first line (target 2 s) |" in out
    assert "| speech end → final line (target 1.5 s) |" in out
    assert "| 1 | Alice | sense_and_sensibility_01_austen_64kb-0870 |" in out
