"""DuckDB over the lake: one view per table, for `chatlake sql`, the API and Python code.

Views read the Delta tables in place with `delta_scan`: each query sees the newest committed
version (or the one asked for, `as_of`), never a half-written batch or a compaction's leftovers,
and filters on `date` skip whole partitions. `chat_messages` also lifts the nested `metadata`
fields to top-level columns. A table that does not exist yet is an empty view of the right
shape, so queries never fail just because nothing has arrived.
"""

import duckdb
import pyarrow as pa

from warehouse import channel_emotes, import_log
from warehouse.duckdb_lake import load_lake_extensions
from warehouse.lake_schema import CHAT_MESSAGES, DATASETS
from warehouse.lake_store import LakeStore, TableVersion

# Every view: the datasets (with the schema their empty view has), the import log and the
# copy of the emote sets.
TABLES: tuple[tuple[str, pa.Schema], ...] = (
    *((d.name, d.read_schema) for d in DATASETS),
    (import_log.TABLE, import_log.SCHEMA),
    (channel_emotes.TABLE, channel_emotes.SCHEMA),
)

_CHAT_MESSAGE_COLUMNS = """
    * exclude (metadata),
    metadata.emotes as emotes,
    metadata.badges as badges,
    metadata.is_subscriber as is_subscriber,
    metadata.is_mod as is_mod,
    metadata.color as color
"""


def connect(lake: LakeStore | str, database: str = ":memory:",
            as_of: TableVersion = None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(database)
    create_views(con, lake if isinstance(lake, LakeStore) else LakeStore.at(lake), as_of)
    return con


def create_views(con: duckdb.DuckDBPyConnection, store: LakeStore,
                 as_of: TableVersion = None) -> set[str]:
    """A view per table (each at its version as of `as_of`: a table version number or a
    time); returns the names of those that do not exist yet (empty views, to be made again
    once the table appears)."""
    load_lake_extensions(con, store)
    empty = set()
    for name, schema in TABLES:
        columns = _CHAT_MESSAGE_COLUMNS if name == CHAT_MESSAGES.name else "*"
        version = None
        if as_of is None:
            exists = store.exists(name)
        else:
            table = store.open(name, as_of)
            exists, version = table is not None, table and table.version()
        if exists:
            source = _delta_scan(store, name, version)
        else:
            source = _empty_table(con, name, schema)
            empty.add(name)
        con.execute(f"create or replace view {name} as select {columns} from {source}")
    return empty


def _delta_scan(store: LakeStore, name: str, version: int | None) -> str:
    uri = store.table_uri(name).replace("'", "''")
    pinned = f", version => {int(version)}" if version is not None else ""
    return f"delta_scan('{uri}'{pinned})"


def _empty_table(con: duckdb.DuckDBPyConnection, name: str, schema: pa.Schema) -> str:
    # A real (empty) table rather than a registered Arrow object: cursors of the connection
    # see tables, but not objects registered on the connection itself.
    empty = f"_empty_{name}"
    con.register("_shape", schema.empty_table())
    con.execute(f"create or replace table {empty} as select * from _shape")
    con.unregister("_shape")
    return empty
