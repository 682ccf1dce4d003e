"""Turn one batch of Kafka values into a lake table plus dead letters for what is invalid.

The fast path hands all values to pyarrow's JSON reader and checks the required columns in
bulk; only when that finds a problem does the batch go record by record through the
contract's validator, so a bad record costs its batch a slower parse, never its neighbours.
"""

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb
import orjson
import pyarrow as pa
import pyarrow.compute as pc
from chatlake_contracts._checks import MAX_TIMESTAMP_MS, MIN_TIMESTAMP_MS
from chatlake_contracts.deadletter import dead_letter

from warehouse.lake import table_from_json_lines, table_from_records, to_lake_table
from warehouse.lake_schema import Dataset


@dataclass
class ParsedBatch:
    table: pa.Table | None                      # lake table of the valid records
    dead_letters: list[dict[str, Any]] = field(default_factory=list)
    dead_letter_offsets: list[int] = field(default_factory=list)  # where each was read


def parse_batch(dataset: Dataset, values: Sequence[bytes | None], offsets: Sequence[int],
                location: str) -> ParsedBatch:
    """`values[i]` was read at `offsets[i]`; `location` names the topic and partition."""
    table = _parse_fast(dataset, values)
    if table is not None:
        return ParsedBatch(to_lake_table(table, dataset) if table.num_rows else None)
    return _parse_each(dataset, values, offsets, location)


def _parse_fast(dataset: Dataset, values: Sequence[bytes | None]) -> pa.Table | None:
    if any(value is None or b"\n" in value for value in values):
        return None
    try:
        table = table_from_json_lines(values, dataset)
    except (duckdb.Error, pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    if table.num_rows != len(values) or not _all_valid(dataset, table):
        return None
    return table


def _all_valid(dataset: Dataset, table: pa.Table) -> bool:
    for name in dataset.required_columns:
        if table.column(name).null_count:
            return False
    times = table.column(dataset.time_column)
    in_range = pc.and_(pc.greater_equal(times, MIN_TIMESTAMP_MS), pc.less(times, MAX_TIMESTAMP_MS))
    return pc.all(in_range).as_py() is not False


def _parse_each(dataset: Dataset, values: Sequence[bytes | None], offsets: Sequence[int],
                location: str) -> ParsedBatch:
    good: list[dict[str, Any]] = []
    dead: list[dict[str, Any]] = []
    dead_offsets: list[int] = []
    now_ms = int(time.time() * 1000)
    for value, offset in zip(values, offsets, strict=True):
        try:
            if value is None:
                raise ValueError("record has no value")
            good.append(dataset.validate(orjson.loads(value)))
        except ValueError as error:  # orjson.JSONDecodeError and RecordError are ValueErrors
            dead.append(dead_letter(
                origin="archiver", error=f"{dataset.name}: {error}", raw=value or b"",
                timestamp=now_ms, location=f"{location}@{offset}",
            ))
            dead_offsets.append(offset)
    table = to_lake_table(table_from_records(good, dataset), dataset) if good else None
    return ParsedBatch(table, dead, dead_offsets)
