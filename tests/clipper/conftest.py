import uuid

import psycopg
import pytest

from tests.clipper.support import RecordingStandIn
from warehouse.postgres import apply_migrations


@pytest.fixture(name="standin")
def standin_fixture():
    server = RecordingStandIn(clip_delay_s=0.5).start_in_thread()
    try:
        yield server
    finally:
        server.stop_thread()


@pytest.fixture(name="own_db")
def own_db_fixture(postgres_server):
    """A database of its own: detections other suites leave pending are not ours to clip."""
    name = f"clipper_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    dsn = postgres_server.rsplit("/", 1)[0] + "/" + name
    apply_migrations(dsn)
    yield dsn
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f'drop database "{name}" with (force)')
