"""Every code has an HTTP status and a line in docs/api.md."""

from __future__ import annotations

from pathlib import Path

from frankly.api.errors import STATUS, ApiCode
from frankly.dialogues.errors import DialogueCode

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def test_every_code_has_a_status_and_is_documented() -> None:
    text = DOC.read_text()
    for code in [*DialogueCode, *ApiCode]:
        assert code in STATUS, code
        assert f"`{code}`" in text, code
