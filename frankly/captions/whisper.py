"""The engine's Recognizer on faster-whisper, from local folders only.

English is read with tiny.en (fast, English only) unless told otherwise;
every other language with multilingual base, which also translates into
English (Whisper's task=translate; English is the only language Whisper
translates into). Models load from folders that `models` has checked, with
`local_files_only`, and HF_HUB_OFFLINE is set before faster-whisper (and the
hub client it imports) is first imported, so nothing can reach a hub.
`prepare` loads before it returns (the worker's preload); `ready` loads in a
thread of its own, so that the worker goes on captioning everyone else while
a room's first speaker of another language waits for base.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import numpy as np

from frankly.captions.lines import ENGLISH
from frankly.captions.models import BASE, MODELS, ModelError, ModelSpec, model_folder
from frankly.captions.resample import RATE, Samples

# How every decode runs: one pass, as fast as it goes, over a segment already cut.
_DECODING: dict[str, Any] = {
    "beam_size": 1,  # greedy: a partial a second on two cores leaves no room for a beam
    "temperature": 0.0,  # no fallback re-decodes: each would add a decode's latency
    "condition_on_previous_text": False,
    "without_timestamps": True,
    "vad_filter": False,  # the engine's own VAD has cut the segment
}


def offline() -> None:
    """Tell the hub client, before it is imported, that there is no hub."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"


class Whisper:
    """faster-whisper models, loaded on first need and kept."""

    def __init__(self, cache: Path, threads: int = 2, english_model: str = "tiny.en") -> None:
        if english_model not in MODELS:
            raise ValueError(f"english model {english_model!r}: one of {', '.join(MODELS)}")
        self._cache = cache
        self._threads = threads
        self._english = MODELS[english_model]
        self._loaded: dict[str, Any] = {}
        self._loading: set[str] = set()  # specs a thread is loading now
        self._failed: dict[str, ModelError] = {}  # spec -> why its load in a thread failed
        self._lock = threading.Lock()  # one load at a time: two would share two cores

    def spec_for(self, language: str, translate: bool) -> ModelSpec:
        return self._english if language == ENGLISH and not translate else BASE

    def prepare(self, language: str, translate: bool) -> None:
        """Load what decoding `language` (and translating it) needs, now."""
        for spec in self._needed(language, translate):
            self._model(spec)

    def ready(self, language: str, translate: bool) -> bool:
        """Whether decoding `language` can start now; if not, its model is loading
        in the background (started here, once). A ValueError for a language
        Whisper does not read; the ModelError of a load that failed."""
        needed = [s for s in self._needed(language, translate) if s.name not in self._loaded]
        for spec in needed:
            if spec.name in self._failed:
                raise self._failed[spec.name]
            if spec.name not in self._loading:
                self._loading.add(spec.name)
                threading.Thread(
                    target=self._load, args=(spec,), name="frankly-model-load", daemon=True
                ).start()
        return not needed

    def _needed(self, language: str, translate: bool) -> list[ModelSpec]:
        from faster_whisper.tokenizer import _LANGUAGE_CODES

        if language not in _LANGUAGE_CODES:
            raise ValueError(f"no captions in {language!r}: Whisper does not read it")
        first = self.spec_for(language, False)
        return [first, BASE] if translate and first is not BASE else [first]

    def _load(self, spec: ModelSpec) -> None:
        try:
            self._model(spec)
        except ModelError as exc:  # told to whoever asks `ready` next, in the worker's loop
            self._failed[spec.name] = exc
        except Exception as exc:  # a file faster-whisper cannot read: that speaker's alone too
            self._failed[spec.name] = ModelError(f"{spec.name} could not be loaded: {exc}")
        finally:
            self._loading.discard(spec.name)

    def decode(self, audio: Samples, language: str, translate: bool) -> str:
        model = self._model(self.spec_for(language, translate))
        task = "translate" if translate else "transcribe"
        segments, _ = model.transcribe(audio, language=language, task=task, **_DECODING)
        return " ".join(segment.text.strip() for segment in segments).strip()

    def _model(self, spec: ModelSpec) -> Any:
        if spec.name in self._loaded:
            return self._loaded[spec.name]
        with self._lock:
            if spec.name not in self._loaded:
                self._loaded[spec.name] = self._read(spec)
        return self._loaded[spec.name]

    def _read(self, spec: ModelSpec) -> Any:
        offline()
        from faster_whisper import WhisperModel

        folder = model_folder(spec, self._cache)
        model = WhisperModel(
            str(folder),
            device="cpu",
            compute_type="int8",
            cpu_threads=self._threads,
            local_files_only=True,
        )
        # The first decode of a model is slower than the rest (allocations,
        # caches): pay it now, not on someone's first words. With the decode's
        # own options: faster-whisper's defaults (a beam of 5, and re-decodes
        # at rising temperatures of what they make of silence) took base 7 s
        # here, a second of silence read greedily takes it under one.
        list(model.transcribe(np.zeros(RATE, np.float32), language=ENGLISH, **_DECODING)[0])
        return model
