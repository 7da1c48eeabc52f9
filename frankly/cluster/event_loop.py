"""The event loop an SFU worker process runs on (a leaf: the benches' relay processes too)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any


def run(main: Coroutine[Any, Any, None]) -> None:
    """On uvloop where it is installed (uvicorn[standard] brings it), the loop the
    server's own process runs the SFU on with --workers 0: so a worker forwards as fast."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(main)
    else:
        uvloop.run(main)
