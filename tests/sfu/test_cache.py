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


def test_put_counts_gaps_and_reports_loss_across_the_wrap() -> None:
    cache = PacketCache(64)
    assert [cache.put(s, b"") for s in (65534, 65535, 2, 1, 1, 3)] == [0, 0, 2, 0, 0, 0]
    fraction, lost, highest = cache.loss_report()
    assert (fraction, lost, highest) == (0, 0, 1 << 16 | 3)  # nothing to compare with yet
    assert cache.put(10, b"") == 6 and cache.put(5, b"") == 0  # late: fills one of the gap
    fraction, lost, highest = cache.loss_report()  # 2 of 7 expected came: 5 lost
    assert (fraction, lost, highest) == (5 * 256 // 7, 5, 1 << 16 | 10)


def test_a_packet_far_behind_is_no_gap() -> None:
    cache = PacketCache(64)
    cache.put(40000, b"")
    assert cache.put(20000, b"") == 0 and cache.highest == 40000
    assert cache.put(4464, b"") == 30000 - 1 and cache.cycles == 1  # ahead, past the wrap
