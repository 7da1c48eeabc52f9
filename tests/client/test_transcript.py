"""The transcript a client keeps of final caption lines, as text and as WebVTT."""

from __future__ import annotations

from frankly.client.transcript import TranscriptLine, as_text, as_webvtt

LINES = [
    TranscriptLine("Boris", 65.25, 67.0, "Спасибо.", "ru", "Thank you."),
    TranscriptLine("Ada", 3.5, 5.125, "We agree <mostly>.", "en", "We agree <mostly>."),
]


def test_the_text_is_in_order_with_speakers_times_and_translations() -> None:
    assert as_text(LINES) == (
        "[00:00:03] Ada: We agree <mostly>.\n[00:01:05] Boris: Спасибо.\n    (English) Thank you.\n"
    )


def test_webvtt_cues_carry_the_speaker_and_escape_markup() -> None:
    assert as_webvtt(LINES) == (
        "WEBVTT\n\n"
        "00:00:03.500 --> 00:00:05.125\n<v Ada>We agree &lt;mostly&gt;.\n\n"
        "00:01:05.250 --> 00:01:07.000\n<v Boris>Спасибо.\n<v Boris>(Thank you.)\n"
    )
