"""Turning records into partitioned Parquet files of the lake.

Two ways in: Python dicts (importers writing straight to the lake) and raw JSON lines (the
archiver, which hands Kafka values to pyarrow's C++ JSON reader without touching each record
in Python). Both end in `write_partitioned`, which splits a table by UTC day and writes one
file per day under a name the caller chooses, so writing the same batch again replaces it.
"""

import io
from collections.abc import Iterable, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pajson

from warehouse.lake_schema import TIMESTAMP, Dataset
from warehouse.lake_store import LakeStore

PARTITION_COLUMN = "date"
# Large blocks let the JSON reader parse a whole batch in a few parallel chunks.
_JSON_BLOCK_BYTES = 32 << 20


def table_from_records(records: Sequence[dict[str, Any]], dataset: Dataset) -> pa.Table:
    return pa.Table.from_pylist(list(records), schema=dataset.schema)


def table_from_json_lines(lines: Iterable[bytes], dataset: Dataset) -> pa.Table:
    """Parse newline-free JSON objects into the dataset's schema; raises pa.ArrowInvalid on
    the first malformed line (callers fall back to record-by-record parsing)."""
    payload = b"\n".join(lines)
    return pajson.read_json(
        io.BytesIO(payload),
        read_options=pajson.ReadOptions(block_size=_JSON_BLOCK_BYTES),
        parse_options=pajson.ParseOptions(
            explicit_schema=dataset.schema, unexpected_field_behavior="ignore"
        ),
    )


def to_lake_table(table: pa.Table, dataset: Dataset) -> pa.Table:
    """Store epoch-ms columns as UTC timestamps and add the `date` partition column."""
    for name in dataset.ms_columns:
        index = table.schema.get_field_index(name)
        table = table.set_column(index, name, table.column(name).cast(TIMESTAMP))
    day = pc.strftime(table.column(dataset.time_column), format="%Y-%m-%d")
    return table.append_column(PARTITION_COLUMN, day)


def write_partitioned(store: LakeStore, dataset: Dataset, table: pa.Table,
                      file_stem: str) -> list[str]:
    """Write `table` (already a lake table) as `<dataset>/date=<day>/<file_stem>.parquet`,
    one file per day. Returns the relative paths written."""
    written = []
    days = table.column(PARTITION_COLUMN)
    for day in pc.unique(days).to_pylist():
        part = table.filter(pc.equal(days, day)).drop_columns([PARTITION_COLUMN])
        relative = f"{dataset.name}/{PARTITION_COLUMN}={day}/{file_stem}.parquet"
        store.write_parquet(relative, part)
        written.append(relative)
    return written
