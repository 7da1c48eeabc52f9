"""A stand-in captioner for the server's tests: joins with the server-made invite,
sends one caption line, then reads until the server lets it go (no speech engine)."""

from __future__ import annotations

import json
import os
import sys

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect


def main(url: str, room: str) -> None:
    invite = os.environ["FRANKLY_CAPTIONER_INVITE"]
    ws_url = url.replace("http", "ws", 1) + "/ws"
    with connect(ws_url) as ws:
        hello = {"type": "hello", "version": 1, "room": room, "name": "x", "invite": invite}
        ws.send(json.dumps(hello))
        ws.send(json.dumps({"type": "caption", "sealed": "c2VhbGVk"}))
        try:
            while True:
                ws.recv()
        except ConnectionClosed:
            return


if __name__ == "__main__":
    main(*sys.argv[1:])
