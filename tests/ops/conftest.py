"""Fixtures of the ops tests: the server tests' raw clients, the SDK tests' participants."""

from __future__ import annotations

from tests.client.conftest import clients
from tests.server.conftest import close_clients

__all__ = ["clients", "close_clients"]
