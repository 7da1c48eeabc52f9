"""The relay's seal between nodes (frankly/sfu/relay_seal.py): bytes in, bytes out."""

from __future__ import annotations

import pytest

from frankly.sfu.relay_seal import OVERHEAD, REPLAYED, UNAUTHENTICATED, Opener, Refused, Sealer

KEY = bytes(range(32))
A, B = "udp:10.0.0.1:4000", "udp:10.0.0.2:4000"


def refused(opener: Opener, datagram: bytes, source: str = A, destination: str = B) -> str:
    with pytest.raises(Refused) as caught:
        opener.open(datagram, source, destination)
    return caught.value.reason


def test_a_sealed_batch_opens_once_from_its_sender_for_its_receiver() -> None:
    sealer, opener = Sealer(KEY), Opener(KEY)
    datagram = sealer.seal(b"media", A, B)
    assert len(datagram) == len(b"media") + OVERHEAD and b"media" not in datagram
    assert opener.open(datagram, A, B) == b"media"
    assert refused(opener, datagram) == REPLAYED
    assert refused(Opener(KEY), datagram, source="udp:10.0.0.3:4000") == UNAUTHENTICATED
    assert refused(Opener(KEY), datagram, destination="udp:10.0.0.3:4000") == UNAUTHENTICATED
    assert refused(Opener(bytes(32)), datagram) == UNAUTHENTICATED
    flipped = datagram[:-1] + bytes([datagram[-1] ^ 1])
    assert refused(Opener(KEY), flipped) == UNAUTHENTICATED
    assert refused(Opener(KEY), datagram[: OVERHEAD - 1]) == UNAUTHENTICATED


def test_the_window_takes_late_datagrams_once_and_refuses_older_than_64() -> None:
    sealer, opener = Sealer(KEY), Opener(KEY)
    sealed = [sealer.seal(bytes([n % 256]), A, B) for n in range(1, 101)]  # counters 1..100
    opener.open(sealed[99], A, B)  # 100 first
    opener.open(sealed[40], A, B)  # 41: 59 behind, in the window
    assert refused(opener, sealed[40]) == REPLAYED
    assert refused(opener, sealed[35]) == REPLAYED  # 36: 64 behind, out of it
    opener.open(sealed[36], A, B)  # 37: 63 behind, the window's last
    # A restarted sender (a new boot id) starts a window of its own.
    assert Opener(KEY).open(Sealer(KEY).seal(b"x", A, B), A, B) == b"x"
    assert opener.open(Sealer(KEY).seal(b"y", A, B), A, B) == b"y"


def test_the_senders_remembered_are_bounded_the_least_recent_forgotten() -> None:
    opener = Opener(KEY, sources=2)
    first = Sealer(KEY).seal(b"1", A, B)
    opener.open(first, A, B)
    for n in range(2):
        opener.open(Sealer(KEY).seal(b"n", f"udp:10.0.1.{n}:4000", B), f"udp:10.0.1.{n}:4000", B)
    assert len(opener._windows) == 2
    assert opener.open(first, A, B) == b"1"  # A forgotten: the price of the bound


def test_a_key_of_the_wrong_size_or_none_is_refused() -> None:
    with pytest.raises(ValueError, match="16 bytes, not 32"):
        Sealer(bytes(16))
    with pytest.raises(ValueError, match="needs a key"):
        Opener(None)  # type: ignore[arg-type]


def test_two_senders_that_drew_one_boot_id_still_never_share_a_keystream() -> None:
    first, second = Sealer(KEY), Sealer(KEY)
    second.boot = first.boot  # one chance in 2**32 a pair: a cluster's many starts meet it
    one, other = first.seal(b"same media", A, B), second.seal(b"same media", "udp:10.0.0.3:1", B)
    assert one[:12] == other[:12]  # one nonce, and yet
    assert one[12:-16] != other[12:-16]  # each address seals under a key of its own
