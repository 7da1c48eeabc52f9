"""Firefox pages for the browser tests, beside Playwright's Chromium ones.

Debian's Firefox ESR is driven over WebDriver BiDi by tests/browser/firefox_driver.mjs
(puppeteer-core, from package.json); this is its Python side: one driver
process, JSON lines both ways, one command at a time. A `FirefoxPage` offers
the few operations tests/browser/meeting.py does on a Playwright page (join,
wait for media, stats, the E2EE worker's counters), under the same names.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

from tests.browser.meeting import MEDIA_TIMEOUT_MS, poll_media
from tests.waiting import POLL

FIREFOX = os.environ.get("FRANKLY_FIREFOX", "/usr/bin/firefox-esr")
ROOT = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("firefox_driver.mjs")
# A command's own limit: the driver's waits (a selector, a page load) are 10 s.
REPLY_TIMEOUT = 30.0


def missing() -> str | None:
    """Why Firefox cannot be driven here, or None when it can."""
    if not os.path.exists(FIREFOX):
        return f"no Firefox at {FIREFOX}"
    if shutil.which("node") is None:
        return "no node to run the Firefox driver"
    if not (ROOT / "node_modules" / "puppeteer-core").is_dir():
        return "no puppeteer-core in node_modules (npm ci)"
    return None


class Firefox:
    """One Firefox, driven by one driver process; pages are browser contexts of it."""

    def __init__(self) -> None:
        env = dict(os.environ, FRANKLY_FIREFOX=FIREFOX, PUPPETEER_SKIP_DOWNLOAD="1")
        self._proc = subprocess.Popen(
            ["node", str(DRIVER)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self._replies: queue.Queue[dict[str, Any] | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self._next = 1
        self.version: str = self._reply(0, 60.0)

    def _read(self) -> None:
        assert self._proc.stdout is not None
        for line in self._proc.stdout:
            self._replies.put(json.loads(line))
        self._replies.put(None)

    def _reply(self, want: int, timeout: float) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            try:
                reply = self._replies.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"the Firefox driver did not answer in {timeout} s") from None
            if reply is None:
                raise AssertionError("the Firefox driver ended")
            if reply["id"] != want:
                continue  # the late answer to a command that timed out
            if "error" in reply:
                raise AssertionError(f"Firefox: {reply['error']}")
            return reply["ok"]

    def command(self, op: str, timeout: float = REPLY_TIMEOUT, **args: Any) -> Any:
        cid, self._next = self._next, self._next + 1
        assert self._proc.stdin is not None
        self._proc.stdin.write(json.dumps({"id": cid, "op": op, **args}) + "\n")
        self._proc.stdin.flush()
        return self._reply(cid, timeout)

    def new_page(self, base_url: str) -> FirefoxPage:
        return FirefoxPage(self, self.command("newPage"), base_url)

    def close(self) -> None:
        if self._proc.poll() is None:
            with contextlib.suppress(AssertionError):  # it may be gone already
                self.command("quit", timeout=10.0)
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        # Its pipes too: left to the garbage collector, they fail the run as ResourceWarnings.
        for pipe in (self._proc.stdin, self._proc.stdout):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()


class FirefoxPage:
    """A participant's page in Firefox: its own browser context."""

    def __init__(self, firefox: Firefox, number: int, base_url: str) -> None:
        self.firefox = firefox
        self.number = number
        self.base_url = base_url
        self.closed_errors: list[str] | None = None  # once closed, its errors

    def goto(self, path: str) -> None:
        self.firefox.command("goto", page=self.number, url=self.base_url + path)

    def evaluate(self, fn: str, arg: Any = None) -> Any:
        """The value of the JavaScript function `fn` called with `arg` (awaited)."""
        return self.firefox.command("evaluate", page=self.number, fn=fn, arg=arg)

    def click_test_id(self, test_id: str) -> None:
        self.firefox.command("click", page=self.number, selector=f'[data-testid="{test_id}"]')

    def fill_test_id(self, test_id: str, value: str) -> None:
        self.firefox.command(
            "fill", page=self.number, selector=f'[data-testid="{test_id}"]', value=value
        )

    def wait_for(self, fn: str, arg: Any = None, timeout_ms: int = 10_000) -> Any:
        """Poll `fn(arg)` until it is truthy; its value."""
        deadline = time.monotonic() + timeout_ms / 1000
        while True:
            got = self.evaluate(fn, arg)
            if got:
                return got
            if time.monotonic() > deadline:
                raise AssertionError(f"Firefox: still {got!r} after {timeout_ms} ms: {fn}")
            time.sleep(POLL)

    def errors(self) -> list[str]:
        found: list[str] = self.firefox.command("errors", page=self.number)
        return found

    def logs(self) -> list[str]:
        """The console's warnings and errors so far."""
        found: list[str] = self.firefox.command("logs", page=self.number)
        return found

    def close(self) -> list[str]:
        """Close the page (again: nothing more); the JavaScript errors it threw."""
        if self.closed_errors is None:
            self.closed_errors = self.errors()
            self.firefox.command("closePage", page=self.number)
        return self.closed_errors


def join(page: FirefoxPage, room: str, name: str) -> str:
    """meeting.join for Firefox: open the room, give a name, join; our id."""
    page.goto(f"/{room}")
    page.fill_test_id("name-input", name)
    page.click_test_id("join")
    page.wait_for(
        "() => document.querySelector('[data-testid=\"conn-state\"]')"
        "?.getAttribute('data-state') === 'connected'"
    )
    pid: str = page.wait_for(
        "() => document.querySelector('[data-testid=\"tile\"][data-self]')"
        "?.getAttribute('data-participant-id')"
    )
    return pid


def in_sfu_mode(page: FirefoxPage) -> None:
    page.wait_for(
        "() => window.frankly.session && window.frankly.session.mode === 'sfu'",
        timeout_ms=MEDIA_TIMEOUT_MS,
    )


def stats(page: FirefoxPage, peer_id: str) -> dict[str, Any]:
    result: dict[str, Any] | None = page.evaluate("(id) => window.frankly.stats(id)", peer_id)
    assert result is not None, f"no peer connection to {peer_id}"
    return result


def wait_media(
    page: FirefoxPage, peer_id: str, *, frames_over: int = 0, audio_over: int = -1
) -> None:
    """meeting.wait_media for Firefox."""
    poll_media(
        lambda: page.evaluate("(id) => window.frankly.stats(id)", peer_id),
        lambda: time.sleep(POLL),
        frames_over,
        audio_over,
        lambda got: (
            f"Firefox, from {peer_id}: have {got}; links {links(page)}; console {page.logs()}"
        ),
    )


def links(page: FirefoxPage) -> Any:
    """Each peer connection's signalling and ICE state (for failure messages)."""
    return page.evaluate(
        "() => Object.fromEntries(Object.entries(window.frankly.pcs()).map(([k, pc]) =>"
        " [k, `${pc.signalingState}/${pc.iceConnectionState}/${pc.connectionState}`]))"
    )


def e2ee_stats(page: FirefoxPage) -> dict[str, Any]:
    """The transform worker's counters (frankly/web/e2ee/worker.js)."""
    reply: dict[str, Any] = page.evaluate(
        "async () => (await window.frankly.session.e2ee.stats()).stats"
    )
    return reply
