"""Where the SDK's next hello goes in a cluster (frankly/client/nodes.py)."""

from __future__ import annotations

from frankly.client.nodes import MAX_REDIRECTS, Route


def test_a_redirect_is_followed_to_the_named_node_with_the_same_room() -> None:
    route = Route("ws://a:8080/ws", "standup")
    assert route.follow("http://b:8080")
    assert route.url == "ws://b:8080/ws"
    assert route.follow("https://c.example/prefix/")
    assert route.url == "wss://c.example/prefix/ws"


def test_a_redirect_loop_is_bounded_and_the_bound_starts_again() -> None:
    route = Route("ws://a:8080/ws", "r")
    followed = [route.follow(f"http://{name}:8080") for name in "bababa"]
    assert followed == [True] * MAX_REDIRECTS + [False, True]  # refused once, then anew


def test_a_welcome_starts_the_count_again() -> None:
    route = Route("ws://a:8080/ws", "r")
    for _ in range(MAX_REDIRECTS):
        assert route.follow("http://b:8080")
    route.welcomed(["http://b:8080", "http://a:8080"])
    assert route.follow("http://a:8080")


def test_a_redirect_to_no_url_is_not_followed() -> None:
    route = Route("ws://a:8080/ws", "r")
    assert not route.follow(None)
    assert not route.follow("ftp://b/")
    assert route.url == "ws://a:8080/ws"


def test_after_a_loss_each_attempt_tries_the_next_node_its_own_first() -> None:
    route = Route("ws://a:8080/ws", "r")
    route.welcomed(["http://a:8080", "http://b:8080", 7, "http://c:8080"])
    tried = []
    for attempt in range(1, 5):
        route.after_loss(attempt)
        tried.append(route.url)
    assert tried == ["ws://a:8080/ws", "ws://b:8080/ws", "ws://c:8080/ws", "ws://a:8080/ws"]


def test_without_a_cluster_the_url_never_moves() -> None:
    route = Route("ws://a:8080/ws", "r")
    route.welcomed(None)  # a server alone says no nodes
    route.after_loss(2)
    assert route.url == "ws://a:8080/ws"


def test_a_refusing_node_is_passed_over_at_once_once_per_other_node_between_waits() -> None:
    route = Route("ws://a:8080/ws", "r")
    assert not route.refused()  # no cluster: the ordinary backoff
    route.welcomed(["http://a:8080", "http://b:8080", "http://c:8080"])
    assert [route.refused() for _ in range(4)] == [True, True, False, True]
    route.welcomed(["http://a:8080", "http://b:8080", "http://c:8080"])
    assert route.refused()  # a welcome starts the count again
