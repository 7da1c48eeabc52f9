"""Time zones: checking an IANA name, and showing one instant in several zones.

Each side has a zone; a viewer has one too (the browser's). An instant is
shown in the viewer's zone first and then in each side's, once per distinct
zone: "Tue 1 Dec 2026, 18:00 in Moscow · 10:00 in New York". A place is
named after the zone's city (Europe/Moscow → Moscow), or after the side when
the caller prefers ("10:00 in United States"). A local time on another day
than the viewer's says which day.
"""

from __future__ import annotations

import functools
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from frankly.dialogues.errors import DialogueCode, DialogueError
from frankly.dialogues.model import Side, require_utc

ZONE_MAX: Final = 64
SEPARATOR: Final = " · "


@functools.cache
def _known() -> frozenset[str]:
    # Only names from the tz database itself: ZoneInfo would also open a
    # path-like key, and the list holds the host's "localtime" link and the
    # database's "Factory" placeholder, neither of which is a place.
    return frozenset(zoneinfo.available_timezones()) - {"localtime", "Factory"}


def check_zone(name: str) -> str:
    """`name` if it is an IANA time zone this machine knows, else bad-time-zone."""
    if len(name) > ZONE_MAX or name not in _known():
        shown = name if len(name) <= ZONE_MAX else name[:ZONE_MAX] + "…"
        raise DialogueError(
            DialogueCode.BAD_TIME_ZONE,
            f"{shown!r} is not an IANA time zone (such as Europe/Moscow)",
        )
    return name


def city(zone: str) -> str:
    """The place a zone is named after: America/Argentina/Buenos_Aires → Buenos Aires."""
    return zone.rsplit("/", 1)[-1].replace("_", " ")


@dataclass(frozen=True, slots=True)
class Local:
    """One instant as seen in one place."""

    place: str
    zone: str
    at: datetime  # aware, in `zone`


def locals_of(
    at: datetime, viewer_zone: str, sides: Iterable[Side], *, side_names: bool = False
) -> tuple[Local, ...]:
    """`at` in the viewer's zone, then in each side's distinct zone."""
    require_utc(at, "the time")
    seen = {viewer_zone}
    shown = [Local(city(viewer_zone), viewer_zone, at.astimezone(_zone(viewer_zone)))]
    for side in sides:
        if side.zone in seen:
            continue
        seen.add(side.zone)
        place = side.name if side_names else city(side.zone)
        shown.append(Local(place, side.zone, at.astimezone(_zone(side.zone))))
    return tuple(shown)


def render(
    at: datetime, viewer_zone: str, sides: Iterable[Side], *, side_names: bool = False
) -> str:
    """One line for people: the viewer's date and time, then each side's time."""
    first, *others = locals_of(at, viewer_zone, sides, side_names=side_names)
    parts = [f"{_day(first.at)}, {_clock(first)}"]
    for other in others:
        same_day = other.at.date() == first.at.date()
        parts.append(_clock(other) if same_day else f"{_clock(other)} ({_day(other.at)})")
    return SEPARATOR.join(parts)


def _clock(local: Local) -> str:
    return f"{local.at:%H:%M} in {local.place}"


def _day(at: datetime) -> str:
    # English names: Python leaves LC_TIME at "C" unless a program sets it.
    return f"{at:%a} {at.day} {at:%b %Y}"


def _zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(check_zone(name))
