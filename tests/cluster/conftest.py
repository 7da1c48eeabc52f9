"""The cluster tests' fixtures: a real redis-server (tests/cluster/nodes.py), and SDK
participants that always leave (the SDK tests' own `clients`)."""

from tests.client.conftest import clients
from tests.cluster.nodes import redis_server

__all__ = ["clients", "redis_server"]
