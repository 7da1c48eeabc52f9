"""A room's interpretation as pure state: booths, their state machine, languages, choices."""

from __future__ import annotations

import pytest

from frankly.rooms.interpretation import BOOTH_SIZE, MAX_INTERPRETERS, Interpretation, Refused


def refused(why: str, change: object) -> Refused:
    assert callable(change)
    with pytest.raises(Refused) as info:
        change()
    assert info.value.why == why, info.value.message
    return info.value


def test_the_first_interpreter_of_a_pair_is_live_into_its_second_language() -> None:
    interp = Interpretation()
    booth = interp.assign("ivan", ("en", "ru"))
    assert (booth.members, booth.live, booth.into) == (["ivan"], "ivan", "ru")
    assert interp.languages() == ["en", "ru"] and interp.active
    assert interp.assign("irina", ("ru", "en")) is booth  # the same pair, either way round
    assert (booth.members, booth.live) == (["ivan", "irina"], "ivan")
    assert interp.feeds() == {"ivan": ("ru", True), "irina": ("ru", False)}
    refused("booth-full", lambda: interp.assign("third", ("en", "ru")))
    assert BOOTH_SIZE == 2


def test_a_hand_over_gives_or_takes_the_live_channel_within_the_booth() -> None:
    interp = Interpretation()
    interp.assign("ivan", ("en", "ru"))
    refused("no-partner", lambda: interp.handover("ivan", None))
    booth = interp.assign("irina", ("en", "ru"))
    assert interp.handover("ivan", None) == (booth, "irina")  # the live one gives
    assert interp.handover("irina", None) == (booth, "irina")  # the other takes
    refused("no-partner", lambda: interp.handover("ivan", "ada"))
    refused("not-interpreter", lambda: interp.handover("ada", None))
    interp.go_live(booth, "irina")
    assert interp.feeds() == {"ivan": ("ru", False), "irina": ("ru", True)}
    # The live one goes: the other is live at once; the last one: the booth is gone.
    assert interp.forget("irina")
    assert booth.live == "ivan"
    assert interp.unassign("ivan") and interp.booths == [] and not interp.active
    assert not interp.unassign("ivan")


def test_directions_never_put_two_booths_into_one_channel() -> None:
    interp = Interpretation()
    en_ru = interp.assign("ivan", ("en", "ru"))
    fr_en = interp.assign("fred", ("fr", "en"))
    assert fr_en.into == "en"
    refused("channel-busy", lambda: interp.direction("ivan", "en"))
    refused("unknown-language", lambda: interp.direction("ivan", "fr"))
    interp.direction("fred", "fr")
    interp.direction("ivan", "en")
    assert (en_ru.into, fr_en.into) == ("en", "fr")
    # A booth whose both languages others speak into speaks into neither, yet.
    assert interp.assign("dora", ("de", "ru")).into == "ru"
    assert interp.assign("rita", ("ru", "fr")).into is None
    assert interp.feeds()["rita"] == (None, True)


def test_listeners_choose_a_served_channel_and_fall_back_when_it_goes() -> None:
    interp = Interpretation()
    refused("unknown-language", lambda: interp.listen("boris", "ru"))
    interp.assign("ivan", ("en", "ru"))
    interp.listen("boris", "ru")
    interp.listen("ada", "floor")
    assert interp.channel_of("boris") == "ru" and interp.channel_of("ada") == "floor"
    assert "ada" not in interp.listening  # the floor is the absence of a choice
    interp.unassign("ivan")
    assert interp.channel_of("boris") == "floor"


def test_a_relay_is_an_interpreters_choice_never_its_own_channel() -> None:
    interp = Interpretation()
    interp.assign("fred", ("fr", "en"))
    interp.assign("ivan", ("en", "ru"))  # into ru
    interp.listen("ivan", "en")  # from Fred's English
    assert interp.public()["relay"] == {"ivan": "en"}
    refused("own-channel", lambda: interp.listen("ivan", "ru"))
    interp.direction("fred", "fr")
    interp.direction("ivan", "en")  # now into the channel he relayed from: back to the floor
    assert interp.channel_of("ivan") == "floor" and interp.public()["relay"] == {}


def test_a_room_has_at_most_twenty_interpreters() -> None:
    interp = Interpretation()
    for n in range(MAX_INTERPRETERS):
        interp.assign(f"p{n}", ("a" + chr(ord("a") + n), "en"))
    assert MAX_INTERPRETERS == 20
    refused("too-many", lambda: interp.assign("one-more", ("xx", "yy")))


def test_moving_an_interpreter_to_another_pair_keeps_the_listeners_it_still_serves() -> None:
    interp = Interpretation()
    interp.assign("ivan", ("en", "ru"))
    interp.listen("emma", "en")
    interp.listen("boris", "ru")
    interp.assign("ivan", ("en", "fr"))
    assert interp.languages() == ["en", "fr"]
    assert (interp.channel_of("emma"), interp.channel_of("boris")) == ("en", "floor")
