"""The human check the SDK solves itself, and where it asks for the challenge."""

from __future__ import annotations

import base64
import json
import threading

import pytest

from frankly.client import FranklyError
from frankly.client.humancheck import http_base, solve
from frankly.server.humancheck import HumanCheck


def test_the_sdk_solves_an_altcha_challenge_the_server_accepts() -> None:
    check = HumanCheck(None, maxnumber=3000, ttl=60)
    challenge = check.challenge()
    proof = solve(challenge)
    assert proof is not None
    payload = json.loads(base64.b64decode(proof))
    assert set(payload) == {"algorithm", "challenge", "number", "salt", "signature"}
    check.verify(proof, now=0.0)  # raises if refused
    stopped = threading.Event()
    stopped.set()
    assert solve(challenge, stopped) is None  # given up at once
    with pytest.raises(FranklyError) as caught:
        solve({**challenge, "challenge": "0" * 64, "maxnumber": 10})
    assert caught.value.code == "human-check-failed"


def test_the_challenge_comes_from_the_signaling_server() -> None:
    assert http_base("wss://m.example/frankly/ws") == "https://m.example/frankly"
    assert http_base("ws://127.0.0.1:8080/ws") == "http://127.0.0.1:8080"
