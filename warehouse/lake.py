"""Turning records into partitioned Parquet files of the lake.

Two ways in: Python dicts (importers writing straight to the lake) and raw JSON lines (the
archiver, which hands Kafka values to DuckDB's JSON reader without touching each record in
Python). Both end in `write_partitioned`, which splits a table by UTC day and writes one file
per day under a name the caller chooses, so writing the same batch again replaces it.
"""

import functools
import tempfile
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from warehouse.lake_schema import TIMESTAMP, Dataset
from warehouse.lake_store import LakeStore

PARTITION_COLUMN = "date"
# DuckDB reads JSON from files; a batch is staged in memory-backed /dev/shm where there is one.
_SCRATCH = "/dev/shm" if Path("/dev/shm").is_dir() else None  # noqa: S108
_connections = threading.local()


def table_from_records(records: Sequence[dict[str, Any]], dataset: Dataset) -> pa.Table:
    return pa.Table.from_pylist(list(records), schema=dataset.schema)


def table_from_json_lines(lines: Iterable[bytes], dataset: Dataset) -> pa.Table:
    """Parse newline-free JSON objects into the dataset's schema; raises duckdb.Error on a
    malformed line (callers fall back to record-by-record parsing).

    DuckDB's reader was measured at about half the CPU of pyarrow's on chat records, and the
    archiver is CPU-bound on this step (bench/bench_lake.py).
    """
    with tempfile.NamedTemporaryFile(dir=_SCRATCH, suffix=".jsonl") as staged:
        staged.write(b"\n".join(lines))
        staged.flush()
        table = _connection().sql(
            f"select * from read_ndjson('{staged.name}', format = 'newline_delimited', "
            f"columns = {_duckdb_columns(dataset.schema)})"
        ).to_arrow_table()
    return table.cast(dataset.schema)


def _connection() -> Any:  # a duckdb connection
    """One single-threaded connection per thread: the archiver parses partitions in parallel."""
    import duckdb  # here: importers' worker processes load this module but never parse JSON

    con = getattr(_connections, "con", None)
    if con is None:
        con = _connections.con = duckdb.connect()
        con.execute("set threads = 1")
    return con


@functools.cache
def _duckdb_columns(schema: pa.Schema) -> str:
    """The `columns` argument of read_ndjson for an Arrow schema, e.g. {'v': 'SMALLINT', ...}."""
    import duckdb

    con = duckdb.connect()
    con.register("shape", pa.Table.from_pylist([], schema=schema))
    types = con.execute("describe shape").fetchall()
    return "{" + ", ".join(f"'{name}': '{kind}'" for name, kind, *_ in types) + "}"


def to_lake_table(table: pa.Table, dataset: Dataset) -> pa.Table:
    """Store epoch-ms columns as UTC timestamps and add the `date` partition column."""
    for name in dataset.ms_columns:
        index = table.schema.get_field_index(name)
        table = table.set_column(index, name, table.column(name).cast(TIMESTAMP))
    # UTC day as YYYY-MM-DD; casting through date32 is ~5x cheaper than strftime.
    day = table.column(dataset.time_column).cast(pa.date32()).cast(pa.string())
    return table.append_column(PARTITION_COLUMN, day)


def write_partitioned(store: LakeStore, dataset: Dataset, table: pa.Table,
                      file_stem: str) -> list[str]:
    """Write `table` (already a lake table) as `<dataset>/date=<day>/<file_stem>.parquet`,
    one file per day. Returns the relative paths written."""
    written = []
    days = table.column(PARTITION_COLUMN)
    unique_days = pc.unique(days).to_pylist()
    for day in unique_days:
        # Most batches hold one day: no need to copy the table through a filter then.
        part = table if len(unique_days) == 1 else table.filter(pc.equal(days, day))
        part = part.drop_columns([PARTITION_COLUMN])
        relative = f"{dataset.name}/{PARTITION_COLUMN}={day}/{file_stem}.parquet"
        store.write_parquet(relative, part)
        written.append(relative)
    return written
