"""The human check, solved by the SDK: an ALTCHA proof of work.

A server started with ``--human-check`` says so in ``GET /config.json``
(``{"human_check": true}``) and hands out challenges at ``GET /challenge``:
``{algorithm, challenge, salt, signature, maxnumber}``. The answer is the
``number`` (0 to ``maxnumber``) for which ``hash(salt + str(number))``, in hex,
is ``challenge``; it goes in ``hello.proof`` as base64 of the JSON
``{algorithm, challenge, number, salt, signature}`` (docs/protocol.md).

The search is plain CPU work: `solve` is meant for ``asyncio.to_thread`` and
stops early when its ``stop`` event is set.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import ssl
import threading
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from frankly.client.errors import FranklyError

log = logging.getLogger("frankly.client")

# ALTCHA's algorithm names, and hashlib's.
_ALGORITHMS = {"SHA-1": "sha1", "SHA-256": "sha256", "SHA-512": "sha512"}
_CHECK_STOP_EVERY = 4096
HUMAN_CHECK_FAILED = "human-check-failed"


def http_base(ws_url: str) -> str:
    """The server's HTTP address for its signaling URL: ``ws://h:1/p/ws`` gives ``http://h:1/p``."""
    parts = urlsplit(ws_url)
    scheme = "https" if parts.scheme == "wss" else "http"
    path = parts.path.removesuffix("/ws")
    return urlunsplit((scheme, parts.netloc, path, "", ""))


def solve(challenge: Mapping[str, Any], stop: threading.Event | None = None) -> str | None:
    """The ``proof`` for one challenge from ``GET /challenge``; None if ``stop`` was set.

    Raises `FranklyError` (``human-check-failed``) for a challenge that is
    malformed, of an unknown algorithm, or that no number up to ``maxnumber``
    solves.
    """
    try:
        algorithm = str(challenge["algorithm"])
        target = str(challenge["challenge"]).lower()
        salt = str(challenge["salt"])
        signature = str(challenge["signature"])
        maxnumber = int(challenge.get("maxnumber", 1_000_000))
    except (KeyError, TypeError, ValueError):
        raise FranklyError(HUMAN_CHECK_FAILED, "the server's challenge is malformed") from None
    name = _ALGORITHMS.get(algorithm.upper())
    if name is None:
        raise FranklyError(HUMAN_CHECK_FAILED, f"unknown challenge algorithm {algorithm!r}")
    salted = hashlib.new(name, salt.encode())
    for number in range(maxnumber + 1):
        if number % _CHECK_STOP_EVERY == 0 and stop is not None and stop.is_set():
            return None
        attempt = salted.copy()
        attempt.update(str(number).encode())
        if attempt.hexdigest() == target:
            payload = {
                "algorithm": algorithm,
                "challenge": target,
                "number": number,
                "salt": salt,
                "signature": signature,
            }
            return base64.b64encode(json.dumps(payload).encode()).decode()
    raise FranklyError(HUMAN_CHECK_FAILED, f"no number up to {maxnumber} solves the challenge")


def get_json(url: str, timeout: float, tls: ssl.SSLContext | None = None) -> Any:
    """GET a JSON document (blocking: run it in a thread); None if it is not JSON."""
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=tls) as response:
            return json.loads(response.read())
    except ValueError:  # a server from before /config.json answers with its page
        return None


def fetch_proof(
    ws_url: str,
    timeout: float,
    stop: threading.Event | None = None,
    tls: ssl.SSLContext | None = None,
) -> str | None:
    """The ``proof`` for a fresh ``hello``, or None when the server asks for none.

    Blocking (two HTTP requests and the search): run it in a thread. A server
    without ``/config.json`` (one from before the human check, or a proxy
    that passes only the WebSocket) asks for none: if it does after all, its
    refusal of the hello says so.
    """
    base = http_base(ws_url)
    try:
        config = get_json(f"{base}/config.json", timeout, tls)
    except urllib.error.HTTPError as exc:
        log.debug("no %s/config.json (HTTP %s): no human check", base, exc.code)
        config = None
    if not isinstance(config, dict) or not config.get("human_check"):
        return None
    challenge = get_json(f"{base}/challenge", timeout, tls)
    if not isinstance(challenge, dict):
        raise FranklyError(
            HUMAN_CHECK_FAILED, "the server asks for a human check but gave no challenge"
        )
    return solve(challenge, stop)
