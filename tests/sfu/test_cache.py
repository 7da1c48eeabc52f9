from frankly.sfu.cache import PacketCache


def test_get_returns_only_the_packet_asked_for() -> None:
    cache = PacketCache(4)
    for seq in range(65533, 65536):
        cache.put(seq, seq.to_bytes(2, "big"))
    cache.put(0, b"zero")
    assert cache.get(65535) == b"\xff\xff" and cache.get(0) == b"zero"
    cache.put(4, b"four")  # takes the slot of 0
    assert cache.get(0) is None and cache.get(4) == b"four"
    assert cache.get(12345) is None
    cache.clear()
    assert cache.get(4) is None
