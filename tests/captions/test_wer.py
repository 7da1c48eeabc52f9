"""The word error rate the captions bench and tests score with."""

from __future__ import annotations

import pytest

from frankly.captions.wer import edit_distance, word_error_rate, words


def test_identical_lines_score_zero_whatever_the_case_and_punctuation() -> None:
    said = "he was not an ill disposed young man"
    assert word_error_rate(said, "He was not an ill-disposed young man.") == 0.0


def test_one_substitution_in_four_words() -> None:
    assert word_error_rate("the cat sat down", "the cat sat up") == 0.25


def test_deletions_and_insertions_count_one_each() -> None:
    assert edit_distance(["a", "b", "c"], ["a", "c"]) == 1
    assert edit_distance(["a", "c"], ["a", "b", "c"]) == 1
    assert word_error_rate("a b", "x a b y z") == 1.5  # more than 1: many insertions


def test_the_distance_is_the_fewest_edits() -> None:
    # kitten -> sitting is the classic three, here on words.
    assert edit_distance(list("kitten"), list("sitting")) == 3


def test_abbreviations_are_scored_as_spoken() -> None:
    assert words("And Mr. John Dashwood") == ["and", "mister", "john", "dashwood"]


def test_apostrophes_stay_inside_words_and_other_scripts_count() -> None:
    assert words("Don\N{RIGHT SINGLE QUOTATION MARK}t stop") == ["don't", "stop"]
    assert words("Добрый день, мы обсуждаем!") == ["добрый", "день", "мы", "обсуждаем"]


@pytest.mark.parametrize(("hypothesis", "expected"), [("", 0.0), ("anything", 1.0)])
def test_an_empty_reference(hypothesis: str, expected: float) -> None:
    assert word_error_rate("", hypothesis) == expected


def test_an_empty_hypothesis_deletes_every_word() -> None:
    assert word_error_rate("two words", "") == 1.0
