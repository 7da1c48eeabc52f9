"""Roles, hosts, settings, bans and hands of a room, without any I/O."""

from frankly.rooms import DialogueMeeting, Room


def test_whoever_enters_an_empty_room_is_its_host() -> None:
    room = Room("r", max_participants=5)
    ada = room.add("Ada", True, True, role="guest")
    grace = room.add("Grace", True, True)
    gus = room.add("Gus", True, True, role="guest")
    assert (ada.role, grace.role, gus.role) == ("host", "participant", "guest")
    assert room.hosts() == [ada]


def test_host_hand_over_prefers_the_earliest_non_guest() -> None:
    room = Room("r", max_participants=5)
    ada = room.add("Ada", True, True)
    gus = room.add("Gus", True, True, role="guest")
    grace = room.add("Grace", True, True)
    eve = room.add("Eve", True, True)
    assert room.ensure_host() is None  # Ada is still there
    room.remove(ada.id)
    assert room.ensure_host() is grace and grace.is_host
    assert room.ensure_host() is None and not eve.is_host and gus.role == "guest"


def test_with_only_guests_left_the_earliest_guest_hosts() -> None:
    room = Room("r", max_participants=5)
    ada = room.add("Ada", True, True)
    gus = room.add("Gus", True, True, role="guest")
    room.add("Gil", True, True, role="guest")
    room.remove(ada.id)
    assert room.ensure_host() is gus


def test_a_password_is_only_said_to_be_there() -> None:
    room = Room("r", max_participants=2)
    assert room.settings() == {"lobby": False, "locked": False, "password": False}
    room.password = object()  # what the server hashed (tests/server/test_passwords.py)
    assert room.settings()["password"] is True and room.has_password


def test_who_must_knock() -> None:
    room = Room("r", max_participants=5)
    assert not room.must_knock("dev", "203.0.113.1", invited=False)  # nobody in: creator
    room.add("Ada", True, True)
    assert not room.must_knock("dev", None, invited=False)
    room.lobby = True
    assert room.must_knock("dev", None, invited=False)
    assert not room.must_knock("dev", None, invited=True)
    room.lobby, room.locked = False, True
    assert room.must_knock(None, None, invited=False)
    assert not room.must_knock(None, None, invited=True)


def test_a_dialogues_room_takes_its_hosts_and_entrants_from_the_dialogue() -> None:
    room = Room("dlg-1", max_participants=5)
    room.dialogue = DialogueMeeting("dl-1", representatives=False)
    assert room.must_knock("dev", None, invited=False)  # even empty: no invite, no way in
    assert not room.must_knock("dev", None, invited=True)
    carol = room.add("Carol", True, True, side="Russia")  # first in, still not a host
    assert (carol.role, carol.public()["side"]) == ("participant", "Russia")
    ann = room.add("Ann", True, True, role="host", side="United States")
    room.remove(ann.id)
    assert room.ensure_host() is None and not carol.is_host  # the leads host, or nobody


def test_bans_by_device_or_address_hold_whatever_the_settings() -> None:
    room = Room("r", max_participants=5)
    room.add("Ada", True, True)
    room.ban("dev-e", "203.0.113.9")
    assert room.must_knock("dev-e", "198.51.100.1", invited=True)
    assert room.must_knock("dev-x", "203.0.113.9", invited=True)
    assert not room.must_knock("dev-x", "198.51.100.1", invited=False)
    assert not room.is_banned(None, None)
    room.unban("dev-e", "203.0.113.9")
    assert not room.must_knock("dev-e", "203.0.113.9", invited=False)


def test_hands_keep_the_order_they_went_up_in() -> None:
    room = Room("r", max_participants=5)
    ada, grace, eve = (room.add(n, True, True) for n in ("Ada", "Grace", "Eve"))
    room.raise_hand(grace)
    room.raise_hand(ada)
    room.raise_hand(grace)  # again: keeps its place
    assert (grace.hand, ada.hand, eve.hand) == (1, 2, None)
    grace.hand = None
    room.raise_hand(grace)
    assert sorted(p.name for p in room.participants.values() if p.hand) == ["Ada", "Grace"]
    assert grace.hand is not None and ada.hand is not None and grace.hand > ada.hand


def test_stop_screen_forgets_the_stream() -> None:
    room = Room("r", max_participants=2)
    ada = room.add("Ada", True, True)
    ada.screen, ada.screen_stream = True, "stream-1"
    room.stop_screen(ada)
    assert (ada.screen, ada.screen_stream) == (False, None)
