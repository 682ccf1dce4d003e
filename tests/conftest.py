"""Fixtures every suite may use: real servers (see tests/platform/fixtures.py)."""

from tests.platform.fixtures import kafka_broker, postgres_server

__all__ = ["kafka_broker", "postgres_server"]
