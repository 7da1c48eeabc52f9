"""Where a speaker's segments open and close, from VAD probabilities."""

from __future__ import annotations

from frankly.captions.segmenter import Change, Segmenter, SegmentRules


def changes(
    probabilities: list[float], rules: SegmentRules | None = None
) -> list[tuple[int, Change]]:
    segmenter = Segmenter(rules)
    pushed = [(i, segmenter.push(p)) for i, p in enumerate(probabilities)]
    return [(i, change) for i, change in pushed if change is not Change.NONE]


def test_speech_then_a_half_second_pause_closes_the_segment() -> None:
    assert changes([0.1] * 3 + [0.9] * 20 + [0.1] * 20) == [(3, Change.OPENED), (38, Change.CLOSED)]


def test_a_dip_between_the_thresholds_is_not_a_pause() -> None:
    # 0.4 is below the start threshold but above the end threshold: still speaking.
    assert changes([0.9] * 10 + [0.4] * 30 + [0.9] * 10) == [(0, Change.OPENED)]


def test_a_short_pause_does_not_close_but_resets() -> None:
    probabilities = [0.9] * 10 + [0.1] * 15 + [0.9] * 10 + [0.1] * 15
    assert changes(probabilities) == [(0, Change.OPENED)]


def test_a_click_is_discarded() -> None:
    assert changes([0.9] * 3 + [0.1] * 16) == [(0, Change.OPENED), (18, Change.DISCARDED)]


def test_a_speaker_who_never_pauses_is_cut_at_the_limit_and_goes_on() -> None:
    rules = SegmentRules(max_windows=50)
    assert changes([0.9] * 120, rules) == [
        (0, Change.OPENED),
        (49, Change.CLOSED),
        (50, Change.OPENED),
        (99, Change.CLOSED),
        (100, Change.OPENED),
    ]
