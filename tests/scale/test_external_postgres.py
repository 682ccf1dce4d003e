"""chatlake against a PostgreSQL it did not start (Debian's PostgreSQL 15, a password, TCP, a
non-superuser owner): migrations, the clipper and the API, given only `CHATLAKE_POSTGRES_DSN`.
The detector -> clips path against the same server is tests/streaming/test_flink_cluster.py."""

import asyncio
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from litestar.testing import TestClient

from api.app import create_app
from chatlake.embedded import stack
from core.settings import Settings
from tests.clipper.support import RecordingStandIn, detect, finished, live, row, run_until, service
from warehouse.postgres import applied_migrations, apply_migrations, migrations

pytestmark = pytest.mark.integration


def test_migrations_clipper_and_api_on_an_external_server(external_postgres, tmp_path):
    dsn = external_postgres
    apply_migrations(dsn)
    apply_migrations(dsn)  # a second run changes nothing
    assert applied_migrations(dsn) == [(m.version, m.name) for m in migrations()]
    with psycopg.connect(dsn) as conn:
        assert not conn.execute("select rolsuper from pg_roles where rolname = current_user"
                                ).fetchone()[0]

    standin = RecordingStandIn(clip_delay_s=0.5).start_in_thread()
    try:
        [channel] = live(standin)
        clip_row = detect(dsn, channel)
        asyncio.run(run_until(service(standin, dsn, tmp_path), finished(dsn, clip_row)))
    finally:
        standin.stop_thread()
    done = row(dsn, clip_row)
    assert done["status"] == "completed"

    settings = Settings(postgres={"dsn": dsn}, lake={"uri": str(tmp_path / "lake")},
                        state_dir=tmp_path / "state")
    with TestClient(app=create_app(settings)) as client:
        start = (datetime.now(UTC) - timedelta(days=1)).isoformat()
        page = client.get("/v1.0/clip", params={"start": start}).json()
    assert [c["clip_id"] for c in page["clips"]] == [done["clip_id"]]

    # `chatlake status` reports PostgreSQL as external: `up` would not start one.
    parts = {p.part: p for p in stack.status(settings)}
    assert parts["postgres"].state == "external"
