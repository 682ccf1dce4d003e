"""Fixtures every suite may use: real servers (tests/platform/fixtures.py) and the real chat
data (tests/shared_data.py)."""

from tests.platform.fixtures import kafka_broker, postgres_server
from tests.shared_data import shared_data

__all__ = ["kafka_broker", "postgres_server", "shared_data"]
