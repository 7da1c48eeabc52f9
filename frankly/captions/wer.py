"""Word error rate: how far a recognised line is from what was said.

A leaf with no imports of the project and no third-party ones, so the bench
and the tests can score a caption the same way. WER is the word-level edit
distance (substitutions, deletions, insertions) divided by the number of words
in the reference; it can exceed 1 when the hypothesis adds many words.
"""

from __future__ import annotations

import re
import unicodedata

# Whisper writes these as abbreviations where transcripts spell them out;
# scored as the spoken word so a correct line is not counted as wrong.
_SPOKEN = {"mr": "mister", "mrs": "missus", "dr": "doctor", "st": "saint"}
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")


def words(text: str) -> list[str]:
    """The words of `text` as scored: case-folded, without punctuation.

    Hyphens and other punctuation split words ("cold-hearted" is two), an
    apostrophe inside a word does not ("don't" is one); letters of any script
    count, so Russian is scored alike.
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    folded = folded.replace("\N{RIGHT SINGLE QUOTATION MARK}", "'")  # the typographic apostrophe
    return [_SPOKEN.get(word, word) for word in _WORD.findall(folded)]


def edit_distance(reference: list[str], hypothesis: list[str]) -> int:
    """The fewest substitutions, deletions and insertions from one list to the other."""
    previous = list(range(len(hypothesis) + 1))
    for i, said in enumerate(reference, start=1):
        current = [i]
        for j, heard in enumerate(hypothesis, start=1):
            substitution = previous[j - 1] + (said != heard)
            current.append(min(substitution, previous[j] + 1, current[j - 1] + 1))
        previous = current
    return previous[-1]


def word_error_rate(reference: str, hypothesis: str) -> float:
    """WER of `hypothesis` against `reference`, after `words` on both.

    An empty reference scores 0.0 against an empty hypothesis and 1.0 against
    anything else (every word is an insertion; there is nothing to divide by).
    """
    said, heard = words(reference), words(hypothesis)
    if not said:
        return 0.0 if not heard else 1.0
    return edit_distance(said, heard) / len(said)
