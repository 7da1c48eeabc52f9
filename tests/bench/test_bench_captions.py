"""`frankly bench captions` at a tiny scale, so that it cannot rot."""

from __future__ import annotations

import pytest

from frankly.bench.captions import run
from frankly.cli import main


def test_the_captions_bench_scores_a_clip(capsys: pytest.CaptureFixture[str]) -> None:
    (english,) = run(models=("tiny.en",), threads=(2,), clips=1, with_russian=False)
    assert (english.model, english.threads, english.language, english.clips) == (
        "tiny.en",
        2,
        "en",
        1,
    )
    assert english.missing == 0 and english.wer is not None and english.wer <= 0.15
    assert len(english.final) == 1 and english.final[0] > 0 and english.rtf > 0 < english.cpu
    out = capsys.readouterr().out
    assert "| tiny.en | 2 | en | 1 |" in out and "speech end → final" in out


def test_its_options_are_checked() -> None:
    with pytest.raises(SystemExit):
        main(["bench", "captions", "--models", "large"])
