import pytest

from frankly.rooms import Room, RoomFull, Rooms
from frankly.rooms.room import CHAT_HISTORY, CHAT_HISTORY_BYTES, LEFT_REMEMBERED


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
        "side": None,
        "language": None,
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


def keep(room: Room, text: str) -> dict[str, object]:
    message = {"type": "chat", "id": room.next_chat_id(), "text": text}
    room.keep_chat(message, len(text))
    return message


def test_chat_history_is_bounded_and_numbered() -> None:
    room = Room("r", max_participants=2)
    for i in range(CHAT_HISTORY + 5):
        keep(room, f"m{i}")
    assert len(room.chat) == CHAT_HISTORY
    assert room.chat[0] == {"type": "chat", "id": 6, "text": "m5"}
    assert room.chat[-1]["id"] == 105


def test_chat_history_is_bounded_in_bytes_too() -> None:
    room = Room("r", max_participants=2)
    big = "x" * 22_000  # the largest sealed message
    for _ in range(CHAT_HISTORY):
        keep(room, big)
    assert len(room.chat) == CHAT_HISTORY_BYTES // 22_000
    keep(room, "small")  # the oldest go first, as many as it takes
    assert room.chat[-1]["text"] == "small"
    assert sum(len(str(m["text"])) for m in room.chat) <= CHAT_HISTORY_BYTES


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
