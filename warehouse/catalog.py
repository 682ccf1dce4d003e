"""DuckDB over the lake: one view per dataset, for `chatlake sql`, the API and Python code.

Views read the Parquet files in place (hive partitions, so `date` is a column and filters on it
prune folders). `chat_messages` also lifts the nested `metadata` fields to top-level columns.
A dataset with no files yet is an empty view of the right shape, so queries never fail just
because nothing has arrived.
"""

import duckdb

from warehouse.lake_schema import CHAT_MESSAGES, DATASETS, Dataset
from warehouse.lake_store import LakeStore

_CHAT_MESSAGE_COLUMNS = """
    * exclude (metadata),
    metadata.emotes as emotes,
    metadata.badges as badges,
    metadata.is_subscriber as is_subscriber,
    metadata.is_mod as is_mod,
    metadata.color as color
"""


def connect(lake_uri: str, database: str = ":memory:") -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(database)
    create_views(con, LakeStore(lake_uri))
    return con


def create_views(con: duckdb.DuckDBPyConnection, store: LakeStore) -> set[str]:
    """A view per dataset; returns the names of those that have no files yet (empty views,
    to be made again once a file arrives)."""
    if store.local_root is None:
        con.execute("install httpfs; load httpfs")
    empty = set()
    for dataset in DATASETS:
        columns = _CHAT_MESSAGE_COLUMNS if dataset is CHAT_MESSAGES else "*"
        if store.list(dataset.name):
            source = _read_parquet(store, dataset)
        else:
            source = _empty_table(con, dataset)
            empty.add(dataset.name)
        con.execute(f"create or replace view {dataset.name} as select {columns} from {source}")
    return empty


def _read_parquet(store: LakeStore, dataset: Dataset) -> str:
    glob = store.path(f"{dataset.name}/*/*.parquet").replace("'", "''")
    return f"read_parquet('{glob}', hive_partitioning = true, union_by_name = true)"


def _empty_table(con: duckdb.DuckDBPyConnection, dataset: Dataset) -> str:
    # A real (empty) table rather than a registered Arrow object: cursors of the connection
    # see tables, but not objects registered on the connection itself.
    empty = f"_empty_{dataset.name}"
    con.register("_shape", dataset.read_schema.empty_table())
    con.execute(f"create or replace table {empty} as select * from _shape")
    con.unregister("_shape")
    return empty
