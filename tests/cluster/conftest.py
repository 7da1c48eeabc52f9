"""The cluster tests' fixtures: a real redis-server (tests/cluster/nodes.py)."""

from tests.cluster.nodes import redis_server

__all__ = ["redis_server"]
