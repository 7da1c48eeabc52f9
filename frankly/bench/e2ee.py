"""`frankly bench e2ee`: what end-to-end encryption costs.

In Chromium: a 1:1 call (fake camera and microphone, loopback) runs for a
while; the transform worker's own counters give the time spent sealing and
opening each frame. Joins are timed as `frankly bench join` does, with two
more marks on the joiner's clock: when the first video packet arrived and
when the other's key reached it, which shows whether the key exchange holds
the first frame up. In the SDK: the cost per frame of frankly.client.e2ee,
beside the cost of encoding that frame.
"""

from __future__ import annotations

import statistics
import sys
from typing import Any

from frankly.bench.join import CHROMIUM, CHROMIUM_FLAGS, PROBE, join_page
from frankly.bench.machine import describe
from frankly.server.background import BackgroundServer

# Marks, on the page's clock since the click on Join: the first video packet
# received, and the moment we hold the other participant's key.
_MARKS = """
(() => {
  window.__marks = {};
  const poll = async () => {
    const at = performance.now() - window.__joinAt;
    const session = window.frankly && window.frankly.session;
    if (session && window.__joinAt !== undefined) {
      const held = [...session.e2ee.keys.ring.senders.keys()];
      if (window.__marks.key === undefined && held.some((id) => id !== session.you?.id)) {
        window.__marks.key = at;
      }
      for (const pc of window.__pcs || []) {
        for (const s of (await pc.getStats()).values()) {
          if (s.type === 'inbound-rtp' && s.kind === 'video' && s.packetsReceived > 0
              && window.__marks.packet === undefined) window.__marks.packet = at;
        }
      }
    }
    const m = window.__marks;
    if (m.key === undefined || m.packet === undefined) setTimeout(poll, 5);
  };
  poll();
})();
"""


def run(runs: int = 5, seconds: float = 10.0) -> None:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sys.exit("frankly bench e2ee needs Playwright: pip install 'frankly[test]' (or make bench)")
    server = BackgroundServer().start()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            joins = [_one_join(browser, server.url, f"bench-e2ee-{i}") for i in range(runs + 1)][1:]
            per_frame = _call(browser, server.url, seconds)
            browser.close()
    finally:
        server.stop()
    _report_joins(joins)
    _report_frames(per_frame, seconds)
    _report_sdk()
    print(f"  machine: {describe()}")


def _one_join(browser: Any, base: str, room: str) -> dict[str, float]:
    host, guest = browser.new_context(), browser.new_context()
    try:
        join_page(host.new_page(), f"{base}/{room}", "Host")
        page = guest.new_page()
        page.add_init_script(PROBE)
        page.add_init_script(_MARKS)
        join_page(page, f"{base}/{room}", "Guest")
        first = float(page.evaluate("window.__firstFrame"))
        page.wait_for_function(
            "() => window.__marks.key !== undefined && window.__marks.packet !== undefined"
        )
        marks: dict[str, float] = page.evaluate("window.__marks")
        dropped = page.evaluate(
            "async () => (await window.frankly.session.e2ee.stats()).stats.failed"
        )
        return {"frame": first, "packet": marks["packet"], "key": marks["key"], "dropped": dropped}
    finally:
        host.close()
        guest.close()


def _call(browser: Any, base: str, seconds: float) -> list[dict[str, Any]]:
    """Both sides' worker counters after `seconds` of a call."""
    contexts = [browser.new_context(), browser.new_context()]
    try:
        pages = [c.new_page() for c in contexts]
        for page, name in zip(pages, ("Ada", "Grace"), strict=True):
            join_page(page, f"{base}/bench-e2ee-call", name)
        pages[0].wait_for_timeout(seconds * 1000)  # the load itself: a call this long
        script = "async () => (await window.frankly.session.e2ee.stats()).stats"
        return [page.evaluate(script) for page in pages]
    finally:
        for c in contexts:
            c.close()


def _report_joins(joins: list[dict[str, float]]) -> None:
    def median(key: str) -> float:
        return statistics.median(j[key] for j in joins)

    print(f"\njoin of a 1:1 encrypted call, median of {len(joins)} runs (ms since Join):")
    print(f"  first video packet    {median('packet'):7.0f}")
    print(f"  the other's key held  {median('key'):7.0f}")
    print(f"  first frame decoded   {median('frame'):7.0f}")
    held_up = sum(1 for j in joins if j["key"] > j["packet"])
    print(
        f"  key after first packet in {held_up} of {len(joins)} runs; "
        f"frames dropped for want of a key: median {median('dropped'):.0f}"
    )


def _report_frames(per_frame: list[dict[str, Any]], seconds: float) -> None:
    print(f"\nChromium transform worker, a {seconds:.0f} s call (both sides, audio and video):")
    for side, s in zip(("Ada", "Grace"), per_frame, strict=True):
        enc = 1000 * s["encryptMs"] / max(1, s["encrypted"])
        dec = 1000 * s["decryptMs"] / max(1, s["decrypted"])
        print(
            f"  {side}: sealed {s['encrypted']} frames, {enc:.0f} µs each; "
            f"opened {s['decrypted']}, {dec:.0f} µs each; failed {s['failed']}, "
            f"replayed {s.get('replayed', 0)}"
        )


def _report_sdk() -> None:
    from frankly.bench.e2ee_sdk import run_sdk

    print("\nPython SDK (frankly.client.e2ee):")
    run_sdk()
