"""The captioner process: a participant of the room that turns speech into caption lines.

Started by the server's supervisor (`python -m frankly.captioner URL ROOM`,
its invite in FRANKLY_CAPTIONER_INVITE; on an https server, the server's
certificate in FRANKLY_CAPTIONER_CERT, the only one it trusts). It starts the speech engine
(frankly/captions, a worker process of its own) and waits until its models
are loaded, then joins the room through the SDK, publishing nothing, as
"Captions by this server" with role captioner. The SFU sends it every
participant's audio (never video); it feeds each speaker's decoded frames to
the engine separately, in the language they said they speak, and sends each
line to the room sealed with its own key like a chat message, so only the
room's participants read it. While the room's captions say `stored` (a
dialogue meeting whose host keeps the transcript), it also hands each final
line to the server in plaintext (`transcript-line`), to be kept with the
meeting. It ends when the server lets it go (captions off): its socket
closes, and it stops the engine and exits.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import ssl
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av import AudioFrame

from frankly.captioner.supervisor import (
    CACHE_ENV,
    CERT_ENV,
    EXIT_UNAVAILABLE,
    INVITE_ENV,
    MODEL_ENV,
    PARENT_PIPE_ENV,
)
from frankly.client import (
    Client,
    Closed,
    ParticipantJoined,
    ParticipantLeft,
    ParticipantUpdated,
    TrackReceived,
)
from frankly.protocol.messages import TRANSCRIPT_TEXT_MAX
from frankly.protocol.words import CAPTIONER_NAME, DEFAULT_SPEECH_LANGUAGE

log = logging.getLogger("frankly.captioner")

READY_WAIT = 120.0  # seconds the engine may take to load its models
ENGLISH = "en"


@dataclass
class _Speaker:
    language: str
    added: float  # seconds since captions started when this speaker was added
    task: asyncio.Task[None] | None = None
    rate: int = 0  # the decoder's format, known at the first frame (0: none yet)
    channels: int = 0
    finals: dict[int, dict[str, Any]] = field(default_factory=dict)  # segment -> last final


class RoomCaptioner:
    """The engine and the room, joined: speakers in, sealed lines out."""

    def __init__(self, call: Client, engine: Any) -> None:
        self.call = call
        self.engine = engine  # a frankly.captions.captioner.Captioner
        self.started = time.monotonic()
        self.speakers: dict[str, _Speaker] = {}

    async def run(self) -> None:
        lines = asyncio.create_task(self._lines())
        events = self.call.events()
        for pid, p in self.call.participants.items():  # tracks that came before the stream
            self._prepare(p.language)
            audio = [t for t in self.call.tracks(pid) if t.kind == "audio"]
            if audio:  # their microphone: the first of their audio tracks
                self._listen(pid, p.language, audio[0])
        try:
            async for event in events:
                match event:
                    case TrackReceived(participant=p, track=track) if event.kind == "audio":
                        if not event.screen and not event.interpretation:
                            self._listen(p.id, p.language, track)
                    case ParticipantJoined(participant=p):
                        self._prepare(p.language)
                    case ParticipantUpdated(participant=p):
                        self._prepare(p.language)
                        if p.id in self.speakers:
                            self._language(p.id, p.language)
                    case ParticipantLeft(participant=p):
                        self._forget(p.id)
                    case Closed():
                        break
        finally:
            lines.cancel()
            for pid in list(self.speakers):
                self._forget(pid)

    # --- speakers ---------------------------------------------------------------------

    def _prepare(self, language: str | None) -> None:
        """A participant speaks `language`: its model loads now, not at their first words."""
        wanted = language or DEFAULT_SPEECH_LANGUAGE
        self.engine.prepare(wanted, wanted != ENGLISH)

    def _listen(self, pid: str, language: str | None, track: MediaStreamTrack) -> None:
        self._forget(pid)  # a new track of theirs (a resume, a new publish) replaces the old
        speaker = self.speakers[pid] = _Speaker(
            language or DEFAULT_SPEECH_LANGUAGE, time.monotonic() - self.started
        )
        speaker.task = asyncio.create_task(self._feed(pid, speaker, track))

    async def _feed(self, pid: str, speaker: _Speaker, track: MediaStreamTrack) -> None:
        """Every decoded frame of `pid`'s microphone, to the engine, as it comes."""
        added = False
        try:
            while True:
                frame = await track.recv()
                if not isinstance(frame, AudioFrame):
                    continue
                if not added:  # the format is the decoder's: known at the first frame
                    channels = len(frame.layout.channels)
                    self._add(pid, speaker, frame.sample_rate, channels)
                    added = True
                self.engine.feed(pid, frame.to_ndarray().tobytes())
        except MediaStreamError:
            return  # they left, or stopped publishing

    def _add(self, pid: str, speaker: _Speaker, rate: int, channels: int) -> None:
        translate = speaker.language != ENGLISH
        self.engine.add_speaker(pid, speaker.language, translate, rate, channels)
        speaker.rate, speaker.channels = rate, channels

    def _language(self, pid: str, language: str | None) -> None:
        speaker = self.speakers[pid]
        wanted = language or DEFAULT_SPEECH_LANGUAGE
        if wanted == speaker.language or not speaker.rate:
            speaker.language = wanted
            return
        self.engine.remove_speaker(pid)
        speaker.language = wanted
        speaker.added = time.monotonic() - self.started
        self._add(pid, speaker, speaker.rate, speaker.channels)

    def _forget(self, pid: str) -> None:
        speaker = self.speakers.pop(pid, None)
        if speaker is None:
            return
        if speaker.task is not None:
            speaker.task.cancel()
        self.engine.remove_speaker(pid)

    # --- lines ------------------------------------------------------------------------

    async def _lines(self) -> None:
        from frankly.captions.lines import CaptionLine, Notice

        async for event in self.engine.events():
            if isinstance(event, CaptionLine):
                line = self._line(event)
                if line is not None:
                    with contextlib.suppress(Exception):  # the room is going: nothing to tell
                        await self.call._send_caption(json.dumps(line, ensure_ascii=False))
                        self._keep(line)
            elif isinstance(event, Notice):
                log.info("captions: %s: %s", event.kind, event.text)

    def _keep(self, line: dict[str, Any]) -> None:
        """A final line for the meeting's stored transcript, while the room stores one
        (the server checks again: only its captioner, only then)."""
        if not line["final"] or not self.call.captions.stored or not line["text"].strip():
            return
        fields = ("speaker", "line", "language", "start", "end")
        kept = {k: line[k] for k in fields}
        kept["text"] = line["text"][:TRANSCRIPT_TEXT_MAX]
        kept["english"] = (line["english"] or "").strip()[:TRANSCRIPT_TEXT_MAX] or None
        self.call._send_transcript_line(kept)

    def _line(self, event: Any) -> dict[str, Any] | None:
        """The wire's caption line (docs/protocol.md) for an engine line; None: not for the room."""
        speaker = self.speakers.get(event.speaker)
        if speaker is None:
            return None
        if event.translated:  # the English of a final line sent already: that line again
            final = speaker.finals.pop(event.segment, None)
            if final is None:
                return None
            return {**final, "english": event.text}
        line = {
            "speaker": event.speaker,
            "line": event.segment,
            "final": event.final,
            "text": event.text,
            "language": event.language,
            "english": event.text if event.language == ENGLISH else None,
            "start": round(speaker.added + event.start, 2),
            "end": round(speaker.added + event.end, 2),
            "finals_only": event.finals_only,
        }
        if event.final and event.language != ENGLISH:
            speaker.finals[event.segment] = line
            while len(speaker.finals) > 8:  # a translation that never came
                speaker.finals.pop(next(iter(speaker.finals)))
        return line


def pinned(cert: str) -> ssl.SSLContext:
    """A TLS context that trusts the server's own certificate (PEM) and nothing else.

    We connect to 127.0.0.1 while the certificate names the public host, so the
    name is not checked: the pinned certificate is the check. A partial chain
    lets a CA-issued leaf (or the first of a chain file) be its own anchor.
    """
    context = ssl.create_default_context(cafile=cert)
    context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
    context.check_hostname = False
    return context


async def caption(
    url: str,
    room: str,
    invite: str,
    cache: Path,
    model: str = "tiny.en",
    cert: str | None = None,
) -> int:
    """Caption `room` until the server lets us go; the process's exit code."""
    from frankly.captions.captioner import Captioner, CaptionSettings
    from frankly.captions.lines import Notice, NoticeKind
    from frankly.captions.worker import WorkerSettings

    engine = Captioner(CaptionSettings(WorkerSettings(cache, english_model=model)))
    engine.start()
    try:
        ready = await _ready(engine, Notice, NoticeKind)
        if not ready:
            return EXIT_UNAVAILABLE
        tls = pinned(cert) if cert else None
        call = Client(url, room=room, name=CAPTIONER_NAME, invite=invite, ssl=tls)
        await call.join()
        try:
            await RoomCaptioner(call, engine).run()
        finally:
            await call.leave()
        return 0
    finally:
        engine.close()


async def _ready(engine: Any, notice: Any, kinds: Any) -> bool:
    """Wait for the engine's READY; False if it says its models are unavailable."""
    async with asyncio.timeout(READY_WAIT):
        async for event in engine.events():
            if isinstance(event, notice) and event.kind is kinds.READY:
                return True
            if isinstance(event, notice) and event.kind is kinds.UNAVAILABLE:
                log.error("captions are unavailable: %s", event.text)
                return False
    return False


def main(argv: list[str]) -> int:
    """`python -m frankly.captioner URL ROOM`: as the supervisor starts it."""
    logging.basicConfig(level=logging.INFO, format="captioner %(levelname)s %(message)s")
    url, room = argv
    invite = os.environ.pop(INVITE_ENV, "")
    if not invite:
        raise SystemExit(f"the captioner needs its invite in {INVITE_ENV}")
    cache = Path(os.environ[CACHE_ENV])
    model = os.environ.get(MODEL_ENV, "tiny.en")
    cert = os.environ.get(CERT_ENV) or None
    if os.environ.pop(PARENT_PIPE_ENV, "") == "1":
        _die_with_the_server()
    return asyncio.run(caption(url, room, invite, cache, model, cert))


def _die_with_the_server() -> None:
    """Exit when the server that started us is gone: its end of our stdin closes
    then, however it died, and a captioner must never hear a room nobody runs."""

    def watch() -> None:
        sys.stdin.buffer.read()  # returns at EOF only: nothing is ever written
        log.warning("the server is gone: the captioner stops")
        os._exit(1)  # the engine's worker exits when its parent does

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
