"""Interpretation in Chromium (docs/protocol.md, "Interpretation"): a host
makes an interpreter from the people list (and another with an interpreter
invite), a listener on the Russian channel hears the interpreter over a
quieter floor, a floor listener gets none of the channel, and a direction
switch and a booth's hand-over keep one live voice: across the hand-over
the listener's channel never goes quiet and the SFU never forwards both.

The interpreters speak from a Chromium of their own whose fake microphone
plays a sound file that never pauses (a warble, made here), so that a
silence at the listener means the channel went silent, not that the
microphone paused: the default fake microphone only beeps.
"""

from __future__ import annotations

import itertools
import math
import re
import struct
import threading
import time
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, Playwright, expect

from frankly.sfu.downtrack import DownTrack
from tests.browser.conftest import page_maker
from tests.browser.meeting import (
    CHROMIUM,
    CHROMIUM_ARGS,
    MEDIA_TIMEOUT_MS,
    NewPage,
    in_sfu_mode,
    join,
    self_id,
    tile,
)
from tests.conftest import LiveServer
from tests.waiting import wait_until

pytestmark = pytest.mark.browser

ROOM = "interp"
# How often the listener's channel and the SFU's routing are looked at across the hand-over.
SAMPLE_MS = 100
# The longest the channel may go without a new packet, or quiet, at the listener. The
# hand-over moves the channel from one voice to the other in one call on the server,
# so what a listener can notice is the network and the new voice's jitter buffer
# starting (tens of ms) plus the sampling's own step (100 ms); 500 ms is a dropout
# anyone hears in speech (a syllable is about 200 ms), with room for a loaded machine.
LONGEST_GAP = 0.5
# A level (RMS, 0..1) above the quiet of a channel: the warble plays at about 0.2.
AUDIBLE = 0.02

# The loudest each voice the page plays was, before and after its gain, over
# a few seconds: the fake microphone beeps, so one instant may be silence.
LOUDEST = """async (ms) => {
    const top = {};
    for (const end = Date.now() + ms; Date.now() < end; ) {
        for (const [key, l] of Object.entries(window.frankly.levels())) {
            const t = (top[key] ??= {before: 0, after: 0});
            t.before = Math.max(t.before, l.before);
            t.after = Math.max(t.after, l.after);
        }
        await new Promise((r) => setTimeout(r, 20));
    }
    return top;
}"""


@pytest.fixture
def voiced(
    playwright_session: Playwright, live_server: LiveServer, tmp_path: Path
) -> Iterator[NewPage]:
    """Pages (as `new_page`) in a Chromium whose microphone warbles without a pause."""
    voice = tmp_path / "warble.wav"
    write_warble(voice)
    args = [*CHROMIUM_ARGS, f"--use-file-for-fake-audio-capture={voice}"]
    browser = playwright_session.chromium.launch(executable_path=CHROMIUM, args=args)
    try:
        yield from page_maker(browser, live_server.url)
    finally:
        browser.close()


def write_warble(path: Path, seconds: float = 4.0, rate: int = 48_000) -> None:
    """A tone gliding 300 → 1200 Hz every half second, looped by Chromium: never quiet,
    and never steady enough for the browser's noise suppression to take it for noise."""
    samples = bytearray()
    phase = 0.0
    for n in range(round(seconds * rate)):
        glide = (n / rate * 2) % 1.0
        phase += 2 * math.pi * (300 + 900 * glide) / rate
        samples += struct.pack("<h", round(0.3 * 32767 * math.sin(phase)))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(bytes(samples))


# Across the hand-over, every SAMPLE_MS at the listener: each channel's packets received
# (its own receiver's getStats: the SFU's track ids are not unique across publishers,
# so a filter by track id would count others' audio too) and level after its gain
# (Web Audio), until window.handover.stop.
SAMPLE = """([keys, every]) => {
    const run = (window.handover = {samples: [], stop: false});
    const receiver = (key) => {
        const track = window.frankly.session?.sfu?.streams.get(key)?.getAudioTracks()[0];
        const pc = window.frankly.pcs()['sfu:subscribe'];
        return track && pc ? pc.getReceivers().find((r) => r.track === track) : undefined;
    };
    const received = async (key) => {
        let packets = 0;
        (await receiver(key)?.getStats())?.forEach((s) => {
            if (s.type === 'inbound-rtp') packets += s.packetsReceived ?? 0;
        });
        return packets;
    };
    (async () => {
        while (!run.stop) {
            const levels = window.frankly.levels();
            const row = {t: performance.now() / 1000};
            for (const key of keys) {
                row[key] = {packets: await received(key), level: levels[key]?.after ?? 0};
            }
            run.samples.push(row);
            await new Promise((r) => setTimeout(r, every));
        }
    })();
}"""


class Routing(threading.Thread):
    """Samples, every SAMPLE_MS, whose channel tracks the SFU forwards to a listener now."""

    def __init__(self, live_server: LiveServer, listener: str) -> None:
        super().__init__(daemon=True)
        self.live_server, self.listener = live_server, listener
        self.samples: list[set[str]] = []
        self.done = threading.Event()

    def forwarded(self) -> set[str]:
        subscriber = self.live_server.hub.routers[ROOM].subscribers[self.listener]
        return {
            down.track.publisher.id
            for down in subscriber.slots
            if isinstance(down, DownTrack)
            and down.track.channel
            and down in down.track.layers[0].downs
        }

    def run(self) -> None:
        while not self.done.wait(SAMPLE_MS / 1000):
            self.samples.append(self.live_server.call(self.forwarded))


class Tap:
    """Stands in for a subscriber's transport on its channels' down-tracks, noting when
    each packet went out (the SFU's clock) and whose voice it carried, then sending it."""

    def __init__(self, transport: Any, voices: dict[int, str]) -> None:
        self.transport, self.voices = transport, voices  # voices: down-track SSRC -> whose
        self.sent: list[tuple[float, str]] = []

    def send_rtp(self, packet: bytes) -> None:
        voice = self.voices.get(int.from_bytes(packet[8:12], "big"), "?")
        self.sent.append((time.monotonic(), voice))
        self.transport.send_rtp(packet)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.transport, name)


def tap_channels(live_server: LiveServer, listener: str) -> Tap:
    """Tap the listener's down-tracks of channel tracks (forwarding or parked)."""

    def tap() -> Tap:
        subscriber = live_server.hub.routers[ROOM].subscribers[listener]
        downs = [d for d in subscriber.slots if isinstance(d, DownTrack) and d.track.channel]
        tapped = Tap(subscriber.transport, {d.ssrc: d.track.publisher.id for d in downs})
        for down in downs:
            down.transport = tapped  # DownTrack looks its transport up at each send
        return tapped

    return live_server.call(tap)


def assert_switched_at_once(sent: list[tuple[float, str]], old: str, new: str) -> None:
    """What the SFU sent of the channel: the old voice, then the new one, never mixed,
    and the new one's first packet within LONGEST_GAP of the old one's last (the other
    gaps are the machine's: a loaded publisher's browser may pause its sending)."""
    voices = [voice for _, voice in sent]
    switch = voices.index(new)
    assert switch > 0 and set(voices[:switch]) == {old} and set(voices[switch:]) == {new}, voices
    gap = sent[switch][0] - sent[switch - 1][0]
    assert gap <= LONGEST_GAP, f"{gap:.3f} s between {old}'s last packet and {new}'s first"


def longest_silence(times: list[float], heard: list[bool]) -> float:
    """The longest a listener's samples (`times`, each `heard` or not) saw the channel
    silent: from the last sample that heard it to the next one that did, over a run of
    samples that did not. Two samples in a row that heard it count no silence, however
    far apart: a page stalled by a loaded machine took no samples, and saw no gap."""
    longest, last, missed = 0.0, times[0], False
    for t, h in zip(times, heard, strict=True):
        if h:
            if missed:  # a run of samples that did not hear it ends here
                longest = max(longest, t - last)
            last, missed = t, False
        else:
            missed = True
    return max(longest, times[-1] - last if missed else 0.0)


def make_interpreter(host: Page, name: str) -> None:
    """The host's Manage menu: Make interpreter…, en ⇄ ru."""
    host.get_by_label(f"Manage {name}").click()
    actions = host.get_by_role("group", name=f"Actions for {name}")
    actions.get_by_test_id("make-interpreter").click()
    actions.get_by_label(f"First language for {name}").fill("en")
    actions.get_by_label(f"Second language for {name}").fill("ru")
    actions.get_by_role("button", name="Make interpreter", exact=True).click()


def choose(page: Page, channel: str) -> None:
    """The language menu in the controls, with the keyboard."""
    page.get_by_test_id("btn-language").focus()
    page.keyboard.press("Enter")
    page.get_by_test_id(f"lang-{channel}").check()
    expect(page.get_by_test_id("lang-now")).to_have_text("Floor" if channel == "floor" else channel)


def packets(live_server: LiveServer, listener: str, interpreter: str) -> int:
    """The channel packets of `interpreter` the SFU sent `listener`."""
    return int(
        live_server.call(
            lambda: live_server.hub.routers[ROOM].channel_packets[listener, interpreter]
        )
    )


def wait_packets(live_server: LiveServer, listener: str, interpreter: str, over: int) -> None:
    wait_until(
        lambda: packets(live_server, listener, interpreter) > over,
        MEDIA_TIMEOUT_MS / 1000,
        f"{listener} gets the channel of {interpreter}",
    )


def test_a_listener_hears_the_interpreter_over_the_floor_and_one_voice_stays_live(
    live_server: LiveServer, new_page: NewPage, voiced: NewPage
) -> None:
    # Sound is what matters here: no cameras, so five pages fit on a small machine.
    host, rita, finn = (new_page(deny=["video"]) for _ in range(3))
    ivan, irina = (voiced(deny=["video"]) for _ in range(2))
    ids: dict[str, str] = {}
    for page, name in ((host, "Hana"), (rita, "Rita"), (finn, "Finn"), (ivan, "Ivan")):
        ids[name] = join(page, ROOM, name)
    for page in (host, rita, finn, ivan):
        in_sfu_mode(page)
    expect(host.get_by_test_id("lang-menu")).to_be_hidden()  # no interpreter: nothing to choose
    make_interpreter(host, "Ivan")
    expect(ivan.get_by_test_id("booth-live")).to_have_text("You are live into ru.")
    expect(host.get_by_test_id("people").get_by_test_id("person-live")).to_have_text("live into ru")
    assert_badge(finn, ids["Ivan"], live=True)

    choose(rita, "ru")
    expect(rita.get_by_test_id("lang-hearing")).to_contain_text("Ivan interpreting into ru")
    wait_packets(live_server, ids["Rita"], ids["Ivan"], 50)
    rita.wait_for_function("(k) => k in window.frankly.levels()", arg=f"{ids['Ivan']}:channel")
    loudest: dict[str, Any] = rita.evaluate(LOUDEST, 3000)
    assert loudest[f"{ids['Ivan']}:channel"]["after"] > 0.01, loudest
    for floor in (ids["Hana"], ids["Finn"]):  # the original, at the default 20 %
        ratio = loudest[floor]["after"] / loudest[floor]["before"]
        assert 0.15 < ratio < 0.25, loudest
    # Finn is on the floor: the SFU sends him none of the channel, nor an m-line for it.
    assert packets(live_server, ids["Finn"], ids["Ivan"]) == 0
    assert f"{ids['Ivan']}:channel" not in finn.evaluate("() => window.frankly.levels()")

    # One button switches the direction: Russian listeners lose Ivan, English ones get him.
    ivan.get_by_test_id("btn-direction").click()
    expect(ivan.get_by_test_id("btn-direction")).to_have_text("Speaking: ru → en")
    expect(rita.get_by_test_id("lang-hearing")).to_have_text(
        "No interpreter for ru yet: you hear the floor."
    )
    to_rita = packets(live_server, ids["Rita"], ids["Ivan"])
    choose(finn, "en")
    wait_packets(live_server, ids["Finn"], ids["Ivan"], 50)
    assert packets(live_server, ids["Rita"], ids["Ivan"]) == to_rita
    ivan.get_by_test_id("btn-direction").click()
    expect(ivan.get_by_test_id("btn-direction")).to_have_text("Speaking: en → ru")

    # A second interpreter of the pair comes with an interpreter invite and makes a
    # booth; the live one hands over.
    host.context.grant_permissions(["clipboard-read", "clipboard-write"])
    host.get_by_test_id("interp-invite").click()  # en ⇄ ru, as the form starts
    expect(host.get_by_text("Interpreter invite (en ⇄ ru) copied")).to_be_visible()
    irina.goto(host.evaluate("navigator.clipboard.readText()"))
    irina.get_by_label("Your name").fill("Irina")
    irina.get_by_role("button", name="Join", exact=True).click()
    ids["Irina"] = self_id(irina)
    expect(irina.get_by_test_id("booth-live")).to_have_text("Ivan is live into ru; you are not.")
    hand_over = ivan.get_by_role("button", name="Hand over to Irina")
    # The hand-over is refused (booth-not-ready) until Irina's channel flows to the SFU and
    # every listener of ru has its m-line, parked: the hand-over itself renegotiates nothing.
    router = live_server.hub.routers[ROOM]
    wait_until(
        lambda: live_server.call(lambda: router.channel_ready(ids["Irina"], time.monotonic())),
        MEDIA_TIMEOUT_MS / 1000,
        "Irina's channel ready to take over",
    )
    keys = [f"{ids['Ivan']}:channel", f"{ids['Irina']}:channel"]
    tapped = tap_channels(live_server, ids["Rita"])
    routing = Routing(live_server, ids["Rita"])
    routing.start()
    rita.evaluate(SAMPLE, [keys, SAMPLE_MS])
    rita.wait_for_function("() => window.handover.samples.length >= 10")  # a second of Ivan
    hand_over.click()
    expect(irina.get_by_test_id("booth-live")).to_have_text("You are live into ru.")
    expect(ivan.get_by_test_id("booth-live")).to_have_text("Irina is live into ru; you are not.")
    expect(host.get_by_test_id("people").get_by_test_id("person-live")).to_have_count(1)
    from_ivan = packets(live_server, ids["Rita"], ids["Ivan"])
    before = packets(live_server, ids["Rita"], ids["Irina"])
    wait_packets(live_server, ids["Rita"], ids["Irina"], before + 50)  # a second of Irina
    rita.evaluate("() => { window.handover.stop = true; }")
    routing.done.set()
    routing.join()
    assert packets(live_server, ids["Rita"], ids["Ivan"]) == from_ivan
    expect(rita.get_by_test_id("lang-hearing")).to_contain_text(re.compile("Irina interpreting"))
    assert_badge(finn, ids["Irina"], live=True)
    assert_badge(finn, ids["Ivan"], live=False)
    # The SFU sent Rita Ivan's voice, then Irina's at once, never both...
    assert_switched_at_once(live_server.call(lambda: list(tapped.sent)), ids["Ivan"], ids["Irina"])
    # ...and her page kept getting the channel, and kept playing it.
    assert_continuous(rita.evaluate("() => window.handover.samples"), keys)
    # The SFU forwarded exactly one voice at every sample: Ivan's, then Irina's.
    voices = [tuple(sorted(s)) for s in routing.samples]
    assert voices and all(len(v) == 1 for v in voices), voices
    assert voices[0] == (ids["Ivan"],) and voices[-1] == (ids["Irina"],), voices


def assert_badge(page: Page, interpreter: str, *, live: bool) -> None:
    """On `page`, the interpreter's tile and people-list entry say what they interpret,
    in signs on screen and in words to a screen reader."""
    shown = tile(page, interpreter)
    expect(shown.get_by_test_id("tile-interpreter")).to_contain_text("Interpreter en ⇄ ru")
    if live:
        expect(shown.get_by_test_id("tile-live")).to_be_visible()
    else:
        expect(shown.get_by_test_id("tile-live")).to_be_hidden()
    words = "between English and Russian" + (", live into Russian" if live else "")
    # The tile's name for a screen reader goes on: "Ivan, interpreter between ...".
    expect(shown).to_have_attribute("aria-label", re.compile(f"^[^,]+, interpreter {words}$"))
    entry = page.get_by_test_id("people").locator(f'li[data-participant-id="{interpreter}"]')
    expect(entry.get_by_test_id("person-interpreter")).to_have_text("Interpreter en ⇄ ru")
    expect(entry.get_by_test_id("person-live")).to_have_count(1 if live else 0)
    expect(entry.get_by_test_id("person-interpreter-spoken")).to_have_text(f"Interpreter {words}.")


def assert_continuous(samples: list[dict[str, Any]], keys: list[str]) -> None:
    """Across the hand-over the listener's channel kept coming (new packets) and stayed
    audible, Ivan's voice before and Irina's after, with no gap over LONGEST_GAP."""
    times = [s["t"] for s in samples]
    total = [sum(s[k]["packets"] for k in keys) for s in samples]
    fresh = [True] + [b > a for a, b in itertools.pairwise(total)]
    audible = [max(s[k]["level"] for k in keys) > AUDIBLE for s in samples]
    ivan, irina = keys
    # Ivan is heard in the first half second, Irina in the last (one sample may dip).
    assert any(s[ivan]["level"] > AUDIBLE for s in samples[:5]), samples[:5]
    assert any(s[irina]["level"] > AUDIBLE for s in samples[-5:]), samples[-5:]
    gaps = (longest_silence(times, fresh), longest_silence(times, audible))
    # What each sample saw, (packets, level) of Ivan's then Irina's channel, if it fails.
    seen = [
        (round(s["t"] - times[0], 2), *((s[k]["packets"], round(s[k]["level"], 3)) for k in keys))
        for s in samples
    ]
    assert max(gaps) <= LONGEST_GAP, f"gaps (packets, sound) {gaps}: {seen}"
