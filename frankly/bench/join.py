"""`frankly bench join`: join-to-first-remote-frame for a 1:1 call in Chromium.

For each run, one participant waits in a fresh room; a second opens the
pre-join screen, and once its camera preview plays (as it does while a
person types their name), the clock starts when it clicks "Join". It stops when
the joiner has decoded the first frame of the other's video (framesDecoded in
getStats, polled every 5 ms inside the page). Server and browsers run on
loopback; Chromium is Debian's, with fake camera and microphone.
"""

from __future__ import annotations

import statistics
import sys
from typing import Any

from frankly.bench.machine import describe
from frankly.server.background import BackgroundServer

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--allow-loopback-in-peer-connection",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-sandbox",
]

# Keeps every RTCPeerConnection the page makes, and stamps the click on "Join"
# with the page's own clock, so the measurement has no round trip to Python.
# (bench.e2ee times its joins with it too.)
PROBE = """
(() => {
  const Native = window.RTCPeerConnection;
  window.__pcs = [];
  window.RTCPeerConnection = class extends Native {
    constructor(...args) { super(...args); window.__pcs.push(this); }
  };
  document.addEventListener('click', (event) => {
    const button = event.target instanceof Element && event.target.closest('button');
    if (button && button.textContent.trim() === 'Join' && window.__joinAt === undefined) {
      window.__joinAt = performance.now();
    }
  }, true);
  window.__firstFrame = new Promise((resolve) => {
    const poll = async () => {
      for (const pc of window.__pcs) {
        const stats = await pc.getStats();
        for (const s of stats.values()) {
          if (s.type === 'inbound-rtp' && s.kind === 'video' && s.framesDecoded > 0) {
            resolve(performance.now() - window.__joinAt);
            return;
          }
        }
      }
      setTimeout(poll, 5);
    };
    poll();
  });
})();
"""


def run(runs: int = 10) -> list[float]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sys.exit("frankly bench join needs Playwright: pip install 'frankly[test]' (or make bench)")
    server = BackgroundServer().start()
    times: list[float] = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            for i in range(runs + 1):  # the first run warms Chromium up and is not counted
                elapsed = _one_run(browser, server.url, f"bench-join-{i}")
                if i:
                    times.append(elapsed)
                    print(f"run {i:2d}: {elapsed:7.1f} ms", flush=True)
            browser.close()
    finally:
        server.stop()
    _report(times)
    return times


def _one_run(browser: Any, base: str, room: str) -> float:
    host = browser.new_context()
    guest = browser.new_context()
    try:
        join_page(host.new_page(), f"{base}/{room}", "Host")
        page = guest.new_page()
        page.add_init_script(PROBE)
        join_page(page, f"{base}/{room}", "Guest")
        return float(page.evaluate("window.__firstFrame"))
    finally:
        host.close()
        guest.close()


def join_page(page: Any, url: str, name: str) -> None:
    """Open the room at ``url`` and join as ``name`` once the camera preview plays."""
    page.goto(url)
    page.wait_for_function(
        "() => { const v = document.querySelector('#preview-video');"
        " return v && v.readyState >= 2 && v.videoWidth > 0; }"
    )
    page.get_by_label("Your name").fill(name)
    page.get_by_role("button", name="Join", exact=True).click()


def _report(times: list[float]) -> None:
    ordered = sorted(times)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    print(f"\njoin-to-first-remote-frame over {len(times)} runs (Chromium, loopback)")
    print(
        f"  median {statistics.median(times):.0f} ms   p90 {p90:.0f} ms   "
        f"min {ordered[0]:.0f} ms   max {ordered[-1]:.0f} ms"
    )
    print(f"  machine: {describe()}")
