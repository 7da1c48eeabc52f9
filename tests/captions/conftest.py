"""Recorded speech for the captions tests, and a started Captioner.

The speech comes from Debian packages that `make test` installs
(`./scripts/system-deps speech`); without them these tests fail and say so.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from frankly.bench.speech import Clip, SpeechMissing, librivox, russian
from frankly.captions.captioner import Captioner, CaptionSettings
from frankly.captions.lines import Event, NoticeKind
from frankly.captions.worker import WorkerSettings


@pytest.fixture(scope="session")
def english() -> dict[str, Clip]:
    try:
        return {clip.name.rsplit("-", 1)[1]: clip for clip in librivox()}
    except SpeechMissing as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="session")
def spoken_russian(tmp_path_factory: pytest.TempPathFactory) -> list[Clip]:
    try:
        return russian(tmp_path_factory.mktemp("russian"), count=1)
    except SpeechMissing as exc:
        pytest.fail(str(exc))


def started(cache: Path, **settings: object) -> tuple[Captioner, list[Event]]:
    """A Captioner whose worker has said READY (within a minute), and what it said."""
    worker = {k: v for k, v in settings.items() if k in WorkerSettings.__slots__}
    outer = {k: v for k, v in settings.items() if k not in worker}
    captioner = Captioner(CaptionSettings(WorkerSettings(cache, **worker), **outer))  # type: ignore[arg-type]
    captioner.start()
    return captioner, until(captioner, NoticeKind.READY)


def until(captioner: Captioner, kind: NoticeKind, timeout: float = 60.0) -> list[Event]:
    """Events up to and including the first notice of `kind`."""
    seen: list[Event] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen += captioner.wait(deadline - time.monotonic())
        if any(getattr(event, "kind", None) is kind for event in seen):
            return seen
    pytest.fail(f"no {kind} notice within {timeout} s; saw {seen}")
