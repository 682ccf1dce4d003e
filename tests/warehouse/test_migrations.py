"""Migrations: applied once, in order, recorded; safe when two processes race."""

import threading

import psycopg
import pytest

from chatlake.embedded.postgres import ensure_database
from warehouse.postgres import applied_migrations, apply_migrations, migrations

pytestmark = pytest.mark.integration


def fresh_database(dsn: str, name: str) -> str:
    maintenance = dsn.rsplit("/", 1)[0] + "/postgres"
    assert ensure_database(maintenance, name)
    return dsn.rsplit("/", 1)[0] + f"/{name}"


def test_migration_files_are_numbered_in_order():
    versions = [migration.version for migration in migrations()]
    assert versions == sorted(versions)
    assert versions[:2] == [1, 2]


def test_applying_twice_changes_nothing(postgres_server):
    dsn = fresh_database(postgres_server, "migrate_twice")

    first = apply_migrations(dsn)
    second = apply_migrations(dsn)

    assert first == [migration.path.name for migration in migrations()]
    assert second == []
    assert [version for version, _ in applied_migrations(dsn)] == [
        migration.version for migration in migrations()
    ]


def test_racing_migrators_apply_each_file_once(postgres_server):
    dsn = fresh_database(postgres_server, "migrate_race")
    results: list[list[str]] = []
    start = threading.Barrier(4)

    def migrate():
        start.wait()
        results.append(apply_migrations(dsn))

    workers = [threading.Thread(target=migrate) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)

    applied = [name for result in results for name in result]
    assert len(results) == 4
    assert sorted(applied) == sorted(migration.path.name for migration in migrations())
    with psycopg.connect(dsn) as conn:
        assert conn.execute("select count(*) from schema_migrations").fetchone()[0] == len(applied)


def test_a_failing_migration_leaves_no_trace(postgres_server, tmp_path):
    dsn = fresh_database(postgres_server, "migrate_failure")
    (tmp_path / "0001_good.sql").write_text("create table good (id int);")
    (tmp_path / "0002_bad.sql").write_text("create table half (id int); select 1/0;")

    with pytest.raises(psycopg.errors.DivisionByZero):
        apply_migrations(dsn, tmp_path)

    with psycopg.connect(dsn) as conn:
        tables = {row[0] for row in conn.execute("select tablename from pg_tables")}
        recorded = conn.execute("select version from schema_migrations").fetchall()
    assert "good" in tables
    assert "half" not in tables
    assert recorded == [(1,)]
