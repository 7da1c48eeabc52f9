from frankly.server.limits import TokenBucket


def test_burst_then_sustained_rate() -> None:
    bucket = TokenBucket(rate=10, burst=3, now=0.0)
    assert [bucket.take(0.0) for _ in range(4)] == [True, True, True, False]
    assert not bucket.take(0.05)  # half a token back
    assert bucket.take(0.1)
    assert not bucket.take(0.1)


def test_refill_never_exceeds_burst() -> None:
    bucket = TokenBucket(rate=10, burst=2, now=0.0)
    assert bucket.take(100.0) and bucket.take(100.0)
    assert not bucket.take(100.0)
