"""The background segmenter's files (frankly/web/vendor/selfie_segmentation/):
the package's own, as SHA256SUMS says, served by this server with the types a
browser needs, under a policy that compiles WebAssembly and still no eval."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import httpx
import pytest

from tests.conftest import LiveServer

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "frankly" / "web" / "vendor" / "selfie_segmentation"
PACKAGE = ROOT / "node_modules" / "@mediapipe" / "selfie_segmentation"


def sums() -> dict[str, str]:
    lines = (VENDOR / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    return {name: digest for digest, name in (line.split("  ", 1) for line in lines)}


def test_the_vendored_files_are_the_ones_summed() -> None:
    listed = sums()
    kept = {p.name for p in VENDOR.iterdir()} - {"SHA256SUMS", "VERSION", "LICENSE.txt"}
    assert kept == set(listed)
    for name, digest in listed.items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name


def test_the_vendored_files_are_the_pinned_packages() -> None:
    """`npm ci` (make test runs it) installs the version package.json pins."""
    pinned = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    version = pinned["devDependencies"]["@mediapipe/selfie_segmentation"]
    assert (VENDOR / "VERSION").read_text(encoding="utf-8").split() == [
        "@mediapipe/selfie_segmentation",
        version,
    ]
    if not (PACKAGE / "package.json").exists():
        pytest.fail(f"no {PACKAGE}: run `npm ci` (as make test does)")
    installed = json.loads((PACKAGE / "package.json").read_text(encoding="utf-8"))
    assert installed["version"] == version
    assert installed["license"] == "Apache-2.0"
    for name in sums():
        assert (PACKAGE / name).read_bytes() == (VENDOR / name).read_bytes(), name


def test_the_server_serves_them_with_a_policy_that_compiles_wasm(
    live_server: LiveServer,
) -> None:
    base = live_server.url + "/static/vendor/selfie_segmentation/"
    wasm = httpx.get(base + "selfie_segmentation_solution_simd_wasm_bin.wasm")
    assert wasm.status_code == 200
    # instantiateStreaming takes nothing else
    assert wasm.headers["content-type"] == "application/wasm"
    assert wasm.content == (VENDOR / "selfie_segmentation_solution_simd_wasm_bin.wasm").read_bytes()
    loader = httpx.get(base + "selfie_segmentation.js")
    assert loader.headers["content-type"].startswith("text/javascript")
    policy = httpx.get(live_server.url + "/").headers["content-security-policy"]
    script_src = next(p for p in policy.split("; ") if p.startswith("script-src"))
    assert script_src == "script-src 'self' 'wasm-unsafe-eval'"  # and not 'unsafe-eval'
