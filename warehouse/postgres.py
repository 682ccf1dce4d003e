"""PostgreSQL access: connections and the schema migrations in `warehouse/migrations/`.

Migrations are files named `NNNN_what_it_does.sql`, applied in number order, each inside its own
transaction together with its row in `schema_migrations`, so a failed file leaves no trace.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import psycopg

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
MIGRATION_FILE = re.compile(r"^(\d{4})_(\w+)\.sql$")
# Any fixed 64-bit number; it serialises concurrent migrators on the same database.
MIGRATION_LOCK_ID = 0x636861746C616B65  # "chatlake"


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path


def connect(dsn: str, **kwargs) -> psycopg.Connection:
    """A psycopg 3 connection; use it as a context manager (commits on success)."""
    return psycopg.connect(dsn, **kwargs)


def migrations(folder: Path = MIGRATIONS_DIR) -> list[Migration]:
    found = []
    for path in folder.glob("*.sql"):
        match = MIGRATION_FILE.match(path.name)
        if match is None:
            raise ValueError(f"migration file not named NNNN_name.sql: {path}")
        found.append(Migration(int(match[1]), match[2], path))
    found.sort(key=lambda migration: migration.version)
    versions = [migration.version for migration in found]
    if len(set(versions)) != len(versions):
        raise ValueError(f"two migration files share a number in {folder}")
    return found


def apply_migrations(dsn: str, folder: Path = MIGRATIONS_DIR) -> list[str]:
    """Apply the migrations not applied yet; returns their file names, in order."""
    applied_now = []
    with connect(dsn, autocommit=True) as conn:
        # Session lock: a second migrator waits here, then finds everything applied.
        conn.execute("select pg_advisory_lock(%s)", [MIGRATION_LOCK_ID])
        try:
            conn.execute(
                """
                create table if not exists schema_migrations (
                    version     integer primary key,
                    name        text not null,
                    applied_at  timestamptz not null default now()
                )
                """
            )
            done = {row[0] for row in conn.execute("select version from schema_migrations")}
            for migration in migrations(folder):
                if migration.version in done:
                    continue
                with conn.transaction():
                    # No parameters: psycopg sends the file as one simple query, many statements.
                    conn.execute(migration.path.read_text())
                    conn.execute(
                        "insert into schema_migrations (version, name) values (%s, %s)",
                        [migration.version, migration.name],
                    )
                applied_now.append(migration.path.name)
        finally:
            conn.execute("select pg_advisory_unlock(%s)", [MIGRATION_LOCK_ID])
    return applied_now


def applied_migrations(dsn: str) -> list[tuple[int, str]]:
    with connect(dsn) as conn:
        rows = conn.execute("select version, name from schema_migrations order by version")
        return [(version, name) for version, name in rows]
