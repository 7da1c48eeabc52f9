from datetime import UTC, datetime

import pytest

from frankly.dialogues.errors import DialogueCode
from frankly.dialogues.zones import check_zone, city, locals_of, render
from tests.dialogues.world import RU, SIDES, US, refused

# The United States move their clocks on 14 March 2027; Moscow keeps UTC+3.
BEFORE = datetime(2027, 3, 13, 15, 0, tzinfo=UTC)
AFTER = datetime(2027, 3, 15, 15, 0, tzinfo=UTC)


def test_an_instant_in_the_viewers_zone_and_each_sides_across_a_dst_change() -> None:
    sides = SIDES.values()
    assert (
        render(BEFORE, "Europe/Moscow", sides)
        == "Sat 13 Mar 2027, 18:00 in Moscow · 10:00 in New York"
    )
    assert (
        render(AFTER, "Europe/Moscow", sides)
        == "Mon 15 Mar 2027, 18:00 in Moscow · 11:00 in New York"
    )
    assert render(BEFORE, "America/New_York", sides) == (
        "Sat 13 Mar 2027, 10:00 in New York · 18:00 in Moscow"
    )
    assert render(AFTER, "America/New_York", sides) == (
        "Mon 15 Mar 2027, 11:00 in New York · 18:00 in Moscow"
    )


def test_a_viewer_elsewhere_sees_both_sides_and_another_day_is_named() -> None:
    night = datetime(2027, 3, 13, 2, 30, tzinfo=UTC)
    assert render(night, "Europe/London", [US, RU]) == (
        "Sat 13 Mar 2027, 02:30 in London · 21:30 in New York (Fri 12 Mar 2027) · 05:30 in Moscow"
    )


def test_side_names_instead_of_cities() -> None:
    assert render(BEFORE, "Europe/Moscow", [US, RU], side_names=True) == (
        "Sat 13 Mar 2027, 18:00 in Moscow · 10:00 in United States"
    )


def test_local_times_are_aware_in_their_zone() -> None:
    moscow, new_york = locals_of(AFTER, "Europe/Moscow", [RU, US])
    assert (moscow.place, moscow.at.hour, new_york.place, new_york.at.hour) == (
        "Moscow",
        18,
        "New York",
        11,
    )
    assert new_york.at == AFTER


@pytest.mark.parametrize(
    ("zone", "place"),
    [
        ("Europe/Moscow", "Moscow"),
        ("America/New_York", "New York"),
        ("America/Argentina/Buenos_Aires", "Buenos Aires"),
        ("UTC", "UTC"),
    ],
)
def test_the_city_of_a_zone(zone: str, place: str) -> None:
    assert check_zone(zone) == zone
    assert city(zone) == place


@pytest.mark.parametrize(
    "zone",
    [
        "Mars/Olympus_Mons",
        "",
        "localtime",
        "Factory",
        "../../etc/passwd",
        "europe/moscow",
        "x" * 500,
    ],
)
def test_a_time_zone_that_does_not_exist(zone: str) -> None:
    error = refused(check_zone, zone)
    assert error.code is DialogueCode.BAD_TIME_ZONE
    assert "is not an IANA time zone (such as Europe/Moscow)" in error.message
    assert len(error.message) < 150


def test_rendering_refuses_a_zone_that_does_not_exist() -> None:
    assert refused(render, AFTER, "Nowhere/City", [US]).code is DialogueCode.BAD_TIME_ZONE
