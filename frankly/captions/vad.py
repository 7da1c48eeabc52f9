"""Silero's voice activity model, run on a live stream window by window.

faster-whisper runs Silero on a whole recording at once; a caption stream
arrives 20 ms at a time, so this keeps the model's recurrent state and the
64 samples of context it reads before each window from one call to the
next. The ONNX file is the one faster-whisper ships, checked by
`models.SILERO_VAD`; one session, on one thread, serves every speaker (each
has its own `VadStream` state).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from frankly.captions.resample import Samples
from frankly.captions.segmenter import WINDOW

_CONTEXT = 64  # samples of the window before that Silero reads at 16 kHz


class Silero:
    """The ONNX session; `VadStream`s call it with their own state."""

    def __init__(self, folder: Path) -> None:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.inter_op_num_threads = options.intra_op_num_threads = (
            1  # cheap; leave Whisper the cores
        )
        options.log_severity_level = 4
        self._session = onnxruntime.InferenceSession(
            str(folder / "silero_vad_v6.onnx"),
            providers=["CPUExecutionProvider"],
            sess_options=options,
        )

    def run(self, windows: Samples, state: tuple[Any, Any]) -> tuple[Samples, tuple[Any, Any]]:
        out, h, c = self._session.run(None, {"input": windows, "h": state[0], "c": state[1]})
        return np.asarray(out, np.float32).reshape(-1), (h, c)


class VadStream:
    """One speaker's speech probabilities, one per 512-sample window, in order."""

    __slots__ = ("_context", "_pending", "_silero", "_state")

    def __init__(self, silero: Silero) -> None:
        self._silero = silero
        self._state: tuple[Any, Any] = (np.zeros((1, 1, 128), np.float32),) * 2
        self._context = np.zeros(_CONTEXT, np.float32)
        self._pending = np.zeros(0, np.float32)

    def push(self, samples: Samples) -> tuple[Samples, Samples]:
        """Take 16 kHz samples; give (probabilities, the whole windows they score).

        Samples short of a whole window wait for the next call.
        """
        joined = np.concatenate((self._pending, samples))
        count = len(joined) // WINDOW
        self._pending = joined[count * WINDOW :]
        if count == 0:
            return np.zeros(0, np.float32), np.zeros(0, np.float32)
        whole = joined[: count * WINDOW]
        windows = whole.reshape(count, WINDOW)
        contexts = np.vstack((self._context, windows[:-1, -_CONTEXT:]))
        self._context = windows[-1, -_CONTEXT:].copy()
        batch = np.ascontiguousarray(np.hstack((contexts, windows)), np.float32)
        probabilities, self._state = self._silero.run(batch, self._state)
        return probabilities, whole
