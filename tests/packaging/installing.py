"""Frankly as an operator installs it: a wheel built from this checkout, put
into a virtualenv of its own, run from somewhere else.

The wheel is built without network (`pip wheel --no-build-isolation`, with the
setuptools of the test virtualenv) from a copy of the files a source release
holds, so the build leaves nothing in the checkout. The new virtualenv gets
Frankly's own files from the wheel only; its dependencies are those already
installed in the test virtualenv, reached through a .pth line (a plain path:
the .pth files there, among them the editable install's finder that maps
`frankly` to the checkout, are not run). Installing the dependencies again
from PyPI would test pip, not Frankly, and need the network.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# What a source release of Frankly holds (pyproject.toml names README.md as its readme).
RELEASED = ("pyproject.toml", "README.md", "frankly")
LEFT_OUT = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build", "dist")


@dataclass(frozen=True)
class Installed:
    wheel: Path
    venv: Path

    @property
    def bin(self) -> Path:
        return self.venv / "bin"

    @property
    def python(self) -> Path:
        return self.bin / "python"


def clean_env() -> dict[str, str]:
    """This environment without what would point Python back at the checkout."""
    gone = {"PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "PYTHONSAFEPATH"}
    return {k: v for k, v in os.environ.items() if k not in gone} | {"PYTHONUNBUFFERED": "1"}


def build_wheel(into: Path) -> Path:
    source = into / "source"
    source.mkdir(parents=True)
    for name in RELEASED:
        origin = ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, ignore=LEFT_OUT)
        else:
            shutil.copy2(origin, source / name)
    dist = into / "dist"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    flags = ["--no-deps", "--no-build-isolation", "--no-index", "-q", "-w", str(dist)]
    subprocess.run([*pip, "wheel", *flags, str(source)], check=True, env=clean_env())
    (wheel,) = dist.glob("frankly-*.whl")
    return wheel


def install(wheel: Path, venv: Path) -> None:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--python"]
    command = [*pip, str(venv / "bin" / "python"), "install", "--no-deps", "--no-index", "-q"]
    subprocess.run([*command, str(wheel)], check=True, env=clean_env())
    # The dependencies: the test virtualenv's site-packages, as a plain path.
    (site,) = venv.glob("lib/python*/site-packages")
    shared = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    (site / "frankly-test-dependencies.pth").write_text(
        "".join(f"{path}\n" for path in sorted(shared))
    )
