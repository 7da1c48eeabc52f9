"""The wheel built and installed once for the packaging tests (installing.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.packaging.installing import Installed, build_wheel, install


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    place = tmp_path_factory.mktemp("installed")
    wheel = build_wheel(place / "build")
    install(wheel, place / "venv")
    yield Installed(wheel, place / "venv")
