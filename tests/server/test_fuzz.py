"""Generated messages of every type: the server answers each with a valid reply or a
documented error, never a crash, a 1011 or a traceback (frankly/bench/fuzz.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, seed, settings

from frankly.bench.fuzz import CASES, SCHEMAS, VALID, Case, Failure, Harness, check_reply, fill
from frankly.protocol import messages
from frankly.server.connection import HANDLERS

CASES_IN_MAKE_TEST = 300


def test_every_generated_message_gets_a_documented_answer() -> None:
    with Harness() as harness:

        @seed(20261201)
        @settings(
            max_examples=CASES_IN_MAKE_TEST,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(CASES)
        def answered(case: Case) -> None:
            harness.run(case)

        answered()
        assert harness.tried >= CASES_IN_MAKE_TEST


def test_the_check_can_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    """What the property reports: an undocumented code; a handler that raises."""
    with pytest.raises(Failure, match="does not name"):
        check_reply(json.dumps({"type": "error", "code": "oops", "message": "x"}))

    def broken(hub: Any, link: Any, msg: Any) -> None:
        raise KeyError("a bug")

    monkeypatch.setitem(HANDLERS, messages.Ping, broken)
    with Harness() as harness, pytest.raises(Failure, match=r"internal-error|unexpected error"):
        harness.run(Case(human=False, hello=False, other=False, frames=['{"type": "ping"}']))


def test_every_type_has_a_valid_starting_point() -> None:
    """The near-valid cases start from these: each must pass the schema."""
    assert sorted(VALID) == sorted(SCHEMAS)
    for kind, fields in VALID.items():
        frame = fill(json.dumps({"type": kind, **fields}), "r", "p-0123456789")
        assert isinstance(frame, str)
        assert messages.parse(frame).type == kind  # type: ignore[union-attr]
