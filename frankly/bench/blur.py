"""`frankly bench blur`: what background blur costs the sender, per frame.

In Chromium, a 1:1 call (fake camera and microphone, loopback) runs once
with the sender's background off and once with blur on (or replace). Over a
timed window after the model runs, it takes from the sender's page the CPU
time of its renderer's main thread, where the segmenter and the drawing run,
and of the whole renderer process (DevTools' Performance.getMetrics
`ThreadTime` and `ProcessTime`: CPU time, so a busy machine slows them less
than it does wall time), the GPU process's CPU time (SystemInfo.getProcessInfo:
where a machine without a GPU runs WebGL, in SwiftShader) and the frames the
page encoded (getStats `framesEncoded`), and prints each per frame and the
ratio of on to off. With blur on it also prints background.js's own split
(wall time, performance.now()): the drawing per frame and the model per mask.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

from frankly.bench.join import CHROMIUM, CHROMIUM_FLAGS, PROBE, join_page
from frankly.bench.machine import describe
from frankly.server.background import BackgroundServer

_ENCODED = """async () => {
  let n = 0;
  for (const pc of window.__pcs || []) for (const s of (await pc.getStats()).values())
    if (s.type === 'outbound-rtp' && s.kind === 'video') n += s.framesEncoded || 0;
  return n;
}"""
_STATS = "async () => (await import('/static/background.js')).backgroundStats()"
# The choice as the pre-join screen keeps it (background.js's BACKGROUND_KEY).
_CHOOSE = "localStorage.setItem('frankly.background', 'EFFECT');"


def run(seconds: float = 20.0, effect: str = "blur") -> dict[str, dict[str, float]]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sys.exit("frankly bench blur needs Playwright: pip install 'frankly[test]' (or make bench)")
    server = BackgroundServer().start()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            found = {e: _call(browser, server.url, e, seconds) for e in ("none", effect)}
            browser.close()
    finally:
        server.stop()
    _report(found, effect, seconds)
    return found


def _call(browser: Any, base: str, effect: str, seconds: float) -> dict[str, float]:
    """One call of two, the sender with `effect`; its costs over `seconds`."""
    sender, other = browser.new_context(), browser.new_context()
    room = f"{base}/bench-blur-{effect}"
    try:
        page = sender.new_page()
        page.add_init_script(PROBE)
        page.add_init_script(_CHOOSE.replace("EFFECT", effect))
        join_page(page, room, "Sender")
        join_page(other.new_page(), room, "Other")
        if effect != "none":
            _wait(lambda: page.evaluate(_STATS)["masks"] > 2, 120, "the model running")
        _wait(lambda: page.evaluate(_ENCODED) > 60, 60, "frames encoded")
        cdp = page.context.new_cdp_session(page)
        cdp.send("Performance.enable")
        browser_cdp = browser.new_browser_cdp_session()
        before = _sample(page, cdp, browser_cdp)
        time.sleep(seconds)  # the window measured: the call runs on its own meanwhile
        after = _sample(page, cdp, browser_cdp)
    finally:
        sender.close()
        other.close()
    frames = max(1.0, after["frames"] - before["frames"])
    out = {
        "frames": frames,
        "main_ms": 1000 * (after["thread"] - before["thread"]) / frames,
        "renderer_ms": 1000 * (after["process"] - before["process"]) / frames,
        "gpu_ms": 1000 * (after["gpu"] - before["gpu"]) / frames,
    }
    if effect != "none":
        drawn = max(1.0, after["drawn"] - before["drawn"])
        masks = max(1.0, after["masks"] - before["masks"])
        out["draw_ms"] = (after["draw_ms"] - before["draw_ms"]) / drawn
        out["segment_ms"] = (after["segment_ms"] - before["segment_ms"]) / masks
        out["masks_per_s"] = (after["masks"] - before["masks"]) / seconds
    return out


def _sample(page: Any, cdp: Any, browser_cdp: Any) -> dict[str, float]:
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    processes = browser_cdp.send("SystemInfo.getProcessInfo")["processInfo"]
    stats = page.evaluate(_STATS)
    return {
        "thread": float(metrics["ThreadTime"]),
        "process": float(metrics["ProcessTime"]),
        "gpu": sum(float(p["cpuTime"]) for p in processes if p["type"] == "GPU"),
        "frames": float(page.evaluate(_ENCODED)),
        "drawn": float(stats["frames"]),
        "masks": float(stats["masks"]),
        "draw_ms": float(stats["drawMs"]),
        "segment_ms": float(stats["segmentMs"]),
    }


def _wait(holds: Any, within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while not holds():
        if time.monotonic() > deadline:
            sys.exit(f"frankly bench blur: no {what} within {within:.0f} s")
        time.sleep(0.25)


_PARTS = (("main thread", "main_ms"), ("renderer", "renderer_ms"), ("GPU", "gpu_ms"))


def _report(found: dict[str, dict[str, float]], effect: str, seconds: float) -> None:
    off, on = found["none"], found[effect]
    print(f"\nbackground {effect} vs off, the sender of a 1:1 call, {seconds:.0f} s each")
    for name, row in (("off", off), (effect, on)):
        print(
            f"  {name:8} {row['frames'] / seconds:5.1f} frames/s   CPU per frame: main thread "
            f"{row['main_ms']:6.1f} ms   renderer {row['renderer_ms']:6.1f} ms   "
            f"GPU process {row['gpu_ms']:6.1f} ms"
        )
    ratios = "   ".join(f"{what} {on[key] / max(off[key], 1e-6):.1f}x" for what, key in _PARTS)
    print(f"  ratio {effect}/off: {ratios}")
    print(
        f"  background.js (wall time): drawing {on['draw_ms']:.1f} ms/frame, the model "
        f"{on['segment_ms']:.0f} ms/mask, {on['masks_per_s']:.1f} masks/s"
    )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"  machine: {describe()}; load average {load}")
