from frankly.sfu.impair import Impairment


def test_every_nth_packet_is_lost() -> None:
    link = Impairment(loss_every=4)
    assert [link.drop(100) for _ in range(8)] == [False, False, False, True] * 2
    assert link.dropped == 2


def test_rate_cap_passes_the_burst_then_drops() -> None:
    link = Impairment(rate_bps=8, burst_bytes=1000)  # one byte a second: nothing refills
    assert [link.drop(400) for _ in range(3)] == [False, False, True]
