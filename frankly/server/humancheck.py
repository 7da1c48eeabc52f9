"""The human check: an ALTCHA proof of work a browser solves before hello.

`GET /challenge` hands out a challenge signed with the server's key
(`human-check.key`); `hello.proof` brings back base64 of the ALTCHA payload.
A proof is good once: used challenges are remembered until they expire.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
from pathlib import Path
from typing import Any, cast

# ALTCHA's v1 format: the one the design (and the widget the web client uses) speaks.
from altcha.v1 import ChallengeOptions, create_challenge, extract_params, verify_solution

from frankly.protocol.errors import Code, ProtocolError
from frankly.protocol.words import Msg
from frankly.server.keys import load_key

KEY_FILE = "human-check.key"
_FIELDS = {"algorithm": str, "challenge": str, "number": int, "salt": str, "signature": str}


class HumanCheck:
    def __init__(self, data_dir: Path | None, maxnumber: int, ttl: float) -> None:
        self._key = load_key(data_dir, KEY_FILE)
        self.maxnumber = maxnumber
        self.ttl = ttl
        self._used: dict[str, float] = {}  # challenge -> its expiry, oldest first

    def challenge(self) -> dict[str, Any]:
        expires = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=self.ttl)
        made = create_challenge(
            ChallengeOptions(
                algorithm="SHA-256", max_number=self.maxnumber, hmac_key=self._key, expires=expires
            )
        )
        return {
            "algorithm": made.algorithm,
            "challenge": made.challenge,
            "salt": made.salt,
            "signature": made.signature,
            "maxnumber": made.max_number,
        }

    def verify(self, proof: str | None, now: float) -> None:
        """Accept a proof once, or refuse the hello (closed with 4401)."""
        if proof is None:
            raise ProtocolError(
                Code.HUMAN_CHECK_REQUIRED,
                "this server asks for a human check: solve GET /challenge, send it as 'proof'",
                Msg.HELLO,
            )
        payload = _decode(proof)
        ok, _ = verify_solution(cast(Any, payload), self._key, check_expires=True)
        expires = _expiry(payload)
        if not ok or expires is None:
            raise _failed("the proof does not solve a challenge of this server, or it expired")
        self._forget_expired(now)
        if payload["challenge"] in self._used:
            raise _failed("this proof was used already; solve a new challenge")
        self._used[payload["challenge"]] = expires

    def _forget_expired(self, now: float) -> None:
        # Every challenge lives as long, so the oldest expire first.
        while self._used:
            challenge, expires = next(iter(self._used.items()))
            if expires > now:
                return
            del self._used[challenge]


def _decode(proof: str) -> dict[str, Any]:
    try:
        payload = json.loads(base64.b64decode(proof, validate=True))
    except (binascii.Error, ValueError):
        raise _failed("'proof' is not base64 of a JSON object") from None
    if not isinstance(payload, dict) or any(  # `type is`: a bool is not a number
        type(payload.get(name)) is not kind for name, kind in _FIELDS.items()
    ):
        raise _failed("'proof' needs algorithm, challenge, number, salt and signature")
    if not all(payload[name].isascii() for name, kind in _FIELDS.items() if kind is str):
        # Ours are hex and decimal; anything else (a lone surrogate) is not worth hashing.
        raise _failed("'proof' holds text that is not ASCII")
    return payload


def _expiry(payload: dict[str, Any]) -> float | None:
    """Our challenges all say when they expire; one that does not is not ours."""
    try:
        return float(extract_params(cast(Any, payload))["expires"][0])
    except (KeyError, IndexError, ValueError):
        return None


def _failed(why: str) -> ProtocolError:
    return ProtocolError(Code.HUMAN_CHECK_FAILED, f"human check failed: {why}", Msg.HELLO)
