"""Turning records into rows of the lake's tables.

Two ways in: Python dicts (importers writing straight to the lake) and raw JSON lines (the
archiver, which hands Kafka values to DuckDB's JSON reader without touching each record in
Python). Both end in `to_lake_table`, the shape the dataset's Delta table stores.
"""

import functools
import tempfile
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa

from warehouse.lake_schema import PARTITION_COLUMN, TIMESTAMP, Dataset

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


def to_lake_table(table: pa.Table, dataset: Dataset, import_digest: str | None = None) -> pa.Table:
    """A table of records in the dataset's table schema (`read_schema`): epoch-ms columns as
    UTC timestamps, the lake's own columns (`import_digest`), the `date` partition column."""
    for name in dataset.ms_columns:
        index = table.schema.get_field_index(name)
        table = table.set_column(index, name, table.column(name).cast(TIMESTAMP))
    for column in dataset.lake_columns:
        values = pa.nulls(table.num_rows, column.type) if import_digest is None \
            else pa.array([import_digest] * table.num_rows, column.type)
        table = table.append_column(column, values)
    day = table.column(dataset.time_column).cast(pa.date32())
    return table.append_column(pa.field(PARTITION_COLUMN, pa.date32()), day)
