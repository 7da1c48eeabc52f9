from frankly.server.limits import Attempts, KeyedBuckets, TokenBucket


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


def test_keyed_buckets_limit_each_key_and_forget_refilled_ones() -> None:
    buckets = KeyedBuckets(rate=0.25, burst=2)
    assert [buckets.take("a", 0.0) for _ in range(3)] == [True, True, False]
    assert buckets.take("b", 0.0)
    assert not buckets.take("a", 3.0) and buckets.take("a", 4.0)
    assert buckets.take("c", 100.0)  # a and b refilled long ago: forgotten
    assert list(buckets._buckets) == ["c"]


def test_attempts_block_after_the_limit_within_the_window() -> None:
    attempts = Attempts(limit=3, window=600)
    for t in (0.0, 10.0, 20.0):
        assert not attempts.blocked("k", t)
        attempts.failed("k", t)
    assert attempts.blocked("k", 30.0) and not attempts.blocked("other", 30.0)
    assert not attempts.blocked("k", 600.0)  # the first failure left the window
    attempts.failed("other", 700.0)
    assert list(attempts._failures) == ["other"]  # k's failures all left it
