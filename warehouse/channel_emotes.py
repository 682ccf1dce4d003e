"""The lake's copy of PostgreSQL's `channel_emotes`: the third-party emote sets the marts read.

PostgreSQL owns the emote sets (migration 0003: one row per emote and the range it was in a
channel's set); dbt reads only the lake. So the whole table is copied into the Delta table
`channel_emotes` in one commit, replacing the previous copy: it is small (hundreds of rows a
channel), and a whole copy cannot drift the way an incremental one could. It is written each time
a snapshot is stored (api/emote_sets.py) and by the Dagster asset `lake/channel_emotes`.
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
_SELECT = f"select {', '.join(SCHEMA.names)} from channel_emotes order by 1, 2, 3, 6"


def read_from_postgres(conn: psycopg.Connection) -> pa.Table:
    rows = conn.execute(_SELECT).fetchall()
    return pa.Table.from_pylist(
        [dict(zip(SCHEMA.names, row, strict=True)) for row in rows], schema=SCHEMA)


def copy_to_lake(conn: psycopg.Connection, store: LakeStore) -> int:
    """Replace the lake's `channel_emotes` with PostgreSQL's, in one commit; returns the rows."""
    table = read_from_postgres(conn)
    # An always-true predicate: every old row goes, in the same commit that adds the new ones.
    store.replace(TABLE, table, "true", partition_by=None)
    return table.num_rows
