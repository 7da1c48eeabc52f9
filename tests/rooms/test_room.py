import pytest

from frankly.rooms import Room, RoomFull, Rooms
from frankly.rooms.room import CHAT_HISTORY, LEFT_REMEMBERED


def test_join_order_and_others() -> None:
    room = Room("r", max_participants=2)
    ada = room.add("Ada", audio=True, video=False)
    grace = room.add("Grace", audio=False, video=True)
    assert list(room.participants) == [ada.id, grace.id]
    assert room.others(ada.id) == [grace]
    assert ada.public() == {
        "id": ada.id,
        "name": "Ada",
        "audio": True,
        "video": False,
        "connected": True,
        "role": "host",
        "hand": None,
        "screen": False,
        "screen_stream": None,
    }
    assert grace.public()["role"] == "participant"
    assert "resume" not in ada.public() and "device" not in ada.public()


def test_full_room_refuses_and_frees_a_seat_on_leave() -> None:
    room = Room("r", max_participants=2)
    ada = room.add("Ada", True, True)
    room.add("Grace", True, True)
    with pytest.raises(RoomFull):
        room.add("Eve", True, True)
    room.remove(ada.id)
    assert room.add("Eve", True, True).name == "Eve"


def test_the_room_remembers_who_left_lately() -> None:
    room = Room("r", max_participants=2)
    ada = room.add("Ada", True, True)
    grace = room.add("Grace", True, True)
    assert not room.has_left(grace.id)
    room.remove(grace.id)
    assert room.has_left(grace.id)
    assert not room.has_left(ada.id) and not room.has_left("p-0000000000")
    for _ in range(LEFT_REMEMBERED):
        room.remove(room.add("Eve", True, True).id)
    assert not room.has_left(grace.id)  # bounded: the oldest are forgotten


def test_resume_token_finds_only_its_participant() -> None:
    room = Room("r", max_participants=2)
    ada = room.add("Ada", True, True)
    grace = room.add("Grace", True, True)
    assert room.by_resume(ada.resume) is ada
    assert room.by_resume(grace.resume) is grace
    assert room.by_resume("nope") is None
    assert ada.resume != grace.resume and ada.id != grace.id


def test_chat_history_is_bounded_and_numbered() -> None:
    room = Room("r", max_participants=2)
    ada = room.add("Ada", True, True)
    for i in range(CHAT_HISTORY + 5):
        room.say(ada, {"text": f"m{i}"}, now=float(i))
    assert len(room.chat) == CHAT_HISTORY
    assert room.chat[0]["text"] == "m5" and room.chat[0]["id"] == 6
    assert room.chat[-1] == {
        "type": "chat",
        "id": 105,
        "from": ada.id,
        "name": "Ada",
        "text": "m104",
        "ts": 104.0,
    }


def test_registry_creates_and_discards_rooms() -> None:
    rooms = Rooms(max_participants=2)
    room = rooms.get_or_create("r")
    assert rooms.get_or_create("r") is room
    ada = room.add("Ada", True, True)
    assert rooms.find_resume("r", ada.resume) is ada
    assert rooms.find_resume("other", ada.resume) is None
    rooms.discard_if_empty(room)
    assert "r" in rooms.rooms
    room.remove(ada.id)
    rooms.discard_if_empty(room)
    assert rooms.rooms == {}
