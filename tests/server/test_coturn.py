"""A real coturn takes the credentials Frankly hands out, and refuses wrong or expired ones."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from frankly.server.turn import Turn, credential, ice_server
from tests.turnserver import (
    ALLOCATE_ERROR,
    ALLOCATE_SUCCESS,
    Coturn,
    allocate,
    error_code,
    running_coturn,
)

SECRET = "coturn-test-secret"


@pytest.fixture(scope="module")
def coturn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Coturn]:
    with running_coturn(tmp_path_factory.mktemp("coturn"), SECRET) as turn:
        yield turn


def test_frankly_credentials_allocate_a_relay(coturn: Coturn) -> None:
    server = ice_server(Turn((coturn.url,), SECRET.encode(), ttl=600), "p1", time.time())
    answer = allocate(coturn.port, server["username"], server["credential"])
    assert answer.type == ALLOCATE_SUCCESS, (error_code(answer), coturn.log[-2000:])


def test_a_password_made_with_another_secret_is_refused(coturn: Coturn) -> None:
    username, password = credential(b"not-the-secret", "p1", int(time.time()) + 600)
    answer = allocate(coturn.port, username, password)
    assert (answer.type, error_code(answer)) == (ALLOCATE_ERROR, 401)


def test_an_expired_credential_is_refused(coturn: Coturn) -> None:
    # Signed with the right secret, but its expiry is a minute ago.
    username, password = credential(SECRET.encode(), "p1", int(time.time()) - 60)
    answer = allocate(coturn.port, username, password)
    assert (answer.type, error_code(answer)) == (ALLOCATE_ERROR, 401)


def test_the_same_credential_an_hour_ahead_is_taken(coturn: Coturn) -> None:
    """The negative checks above can fail: the only difference there is the secret or the time."""
    username, password = credential(SECRET.encode(), "p1", int(time.time()) + 3600)
    assert allocate(coturn.port, username, password).type == ALLOCATE_SUCCESS
