"""The lake's copy of PostgreSQL's `channel_emotes`: the third-party emote sets the marts read.

PostgreSQL owns the emote sets (migration 0003: one row per emote and the range it was in a
channel's set); dbt reads only the lake. So the whole table is copied into the Delta table
`channel_emotes` in one commit, replacing the previous copy: it is small (hundreds of rows a
channel), and a whole copy cannot drift the way an incremental one could. It is written each time
a snapshot is stored (api/emote_sets.py) and by the Dagster asset `lake/channel_emotes`; a copy
equal to the lake's is not written, since a new version of the table makes the next marts build
a full one (warehouse/marts_build.py).
"""

import psycopg
import pyarrow as pa

from warehouse.lake_store import LakeStore

TABLE = "channel_emotes"
TIMESTAMP = pa.timestamp("us", tz="UTC")  # PostgreSQL's timestamptz precision
SCHEMA = pa.schema([
    ("broadcaster_id", pa.string()),
    ("provider", pa.string()),
    ("emote_id", pa.string()),
    ("emote_name", pa.string()),
    ("set_id", pa.string()),
    ("valid_from", TIMESTAMP),
    ("valid_to", TIMESTAMP),
])
_ORDER = [(name, "ascending") for name in ("broadcaster_id", "provider", "emote_id",
                                            "valid_from")]
_SELECT = (f"select {', '.join(SCHEMA.names)} from channel_emotes"
           f" order by {', '.join(name for name, _ in _ORDER)}")


def read_from_postgres(conn: psycopg.Connection) -> pa.Table:
    rows = conn.execute(_SELECT).fetchall()
    return pa.Table.from_pylist(
        [dict(zip(SCHEMA.names, row, strict=True)) for row in rows], schema=SCHEMA)


def copy_to_lake(conn: psycopg.Connection, store: LakeStore) -> int:
    """Replace the lake's `channel_emotes` with PostgreSQL's, in one commit, unless the copy
    is already equal (a new version makes the next marts build a full one); returns the rows."""
    table = read_from_postgres(conn)
    current = store.open(TABLE)
    if current is not None and _sorted(current.to_pyarrow_table()).equals(_sorted(table)):
        return table.num_rows
    # An always-true predicate: every old row goes, in the same commit that adds the new ones.
    store.replace(TABLE, table, "true", partition_by=None)
    return table.num_rows


def _sorted(table: pa.Table) -> pa.Table:
    return table.select(SCHEMA.names).sort_by(_ORDER)
