"""Exports: a mart, a lake table or a query, filtered, streamed out as CSV, JSONL, JSON or Parquet.

One DuckDB connection sees the lake's views (warehouse/catalog.py: `chat_messages`, ...) and,
attached read-only as `warehouse`, the marts file (`<state>/warehouse.duckdb`, schema `marts`;
on the search path, so a query can name a mart bare). Rows leave DuckDB as Arrow record batches
(`to_arrow_reader`) and are encoded a batch at a time, so memory stays bounded by one batch
whatever the size of the export: CSV and Parquet by pyarrow's writers, JSON lines by polars
(`write_ndjson`, which writes nested lists and structs and ISO times), JSON as one array of them.

Filters are SQL parameters, never text pasted into SQL: `--channel` (a login or a broadcaster id)
on the relation's `broadcaster_id`, `--since`/`--until` (half-open) on its time column (the first
of TIME_COLUMNS it has, else its first timestamp or date column). The query text itself is the
caller's own (the CLI's user, like `chatlake sql`); the API exports only named tables.
"""

import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from warehouse.catalog import TABLES, connect
from warehouse.lake_store import LakeStore
from warehouse.optouts import NO_OPTOUTS, OptOutSet

FORMATS = ("csv", "jsonl", "json", "parquet")
MEDIA_TYPES = {"csv": "text/csv", "jsonl": "application/x-ndjson", "json": "application/json",
               "parquet": "application/vnd.apache.parquet"}
# Rows per Arrow batch: the unit of memory an export holds at once.
BATCH_ROWS = 65_536
MARTS_CATALOG = "warehouse"
MARTS_SCHEMA = "marts"
LAKE_TABLES = tuple(name for name, _ in TABLES)
# The time column --since/--until apply to, in order of preference.
TIME_COLUMNS = ("timestamp", "window_start", "bucket_start", "bucket_at", "hour", "day",
                "started_at", "detected_at", "date")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_NESTED = re.compile(r"(\[\]$|^STRUCT|^MAP|^UNION|\[\d+\]$)")


class ExportError(ValueError):
    """A bad request: an unknown source, a filter the source cannot take, a query that fails."""


class UnknownSourceError(ExportError):
    """No mart or lake table of that name."""


class MartsUnavailableError(ExportError):
    """The marts file exists but cannot be opened now (e.g. a build holds it)."""


@dataclass(frozen=True)
class Filters:
    channel: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def open_sources(store: LakeStore, marts: Path | None) -> duckdb.DuckDBPyConnection:
    """The lake's views, and the marts file attached read-only when it exists."""
    con = connect(store)
    con.execute("set TimeZone = 'UTC'")
    if marts is not None and marts.is_file():
        try:
            con.execute(f"attach '{_quoted(str(marts))}' as {MARTS_CATALOG} (read_only)")
        except duckdb.Error as error:
            con.close()
            raise MartsUnavailableError(
                f"the marts file {marts} cannot be opened: {_first_line(error)}") from None
        con.execute(f"set search_path = 'memory.main,{MARTS_CATALOG}.{MARTS_SCHEMA}'")
    return con


def marts(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Names of the marts in the attached marts file (none when it is absent)."""
    rows = con.execute(
        "select table_name from information_schema.tables"
        " where table_catalog = ? and table_schema = ? order by table_name",
        [MARTS_CATALOG, MARTS_SCHEMA]).fetchall()
    return [name for (name,) in rows]


def is_name(source: str) -> bool:
    return bool(_IDENTIFIER.match(source))


def relation(con: duckdb.DuckDBPyConnection, source: str, *, allow_sql: bool) -> str:
    """The SQL relation of `source`: a lake table, a mart, or (when allowed) a query."""
    if is_name(source):
        if source in LAKE_TABLES:
            return f'memory.main."{source}"'
        names = marts(con)
        if source in names:
            return f'{MARTS_CATALOG}.{MARTS_SCHEMA}."{source}"'
        raise UnknownSourceError(
            f"no mart or lake table named {source!r}; lake tables: {', '.join(LAKE_TABLES)}; "
            f"marts: {', '.join(names) or 'none (run chatlake marts build / dbt build)'}")
    if not allow_sql:
        raise ExportError(f"{_shown(source)!r} is not a mart or lake table name")
    return f"({source.strip().rstrip(';')})"


def columns(con: duckdb.DuckDBPyConnection, rel: str) -> list[tuple[str, str]]:
    try:
        rows = con.execute(f"describe select * from {rel} as q").fetchall()
    except duckdb.Error as error:
        raise ExportError(f"the query fails: {_first_line(error)}") from None
    return [(row[0], row[1]) for row in rows]


def time_column(cols: list[tuple[str, str]]) -> str | None:
    timed = [name for name, kind in cols if kind.startswith("TIMESTAMP") or kind == "DATE"]
    return next((name for name in TIME_COLUMNS if name in timed), timed[0] if timed else None)


@dataclass(frozen=True)
class Plan:
    """The final SQL of an export and its parameters."""

    sql: str
    params: dict[str, Any]
    columns: list[tuple[str, str]]

    def count_sql(self) -> str:
        return f"select count(*) from ({self.sql}) as counted"


def plan(con: duckdb.DuckDBPyConnection, source: str, fmt: str, filters: Filters,
         *, allow_sql: bool = True) -> Plan:
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    rel = relation(con, source, allow_sql=allow_sql)
    cols = columns(con, rel)
    names = {name for name, _ in cols}
    where, params = [], {}
    if filters.channel is not None:
        if "broadcaster_id" not in names:
            raise ExportError(f"{_shown(source)} has no broadcaster_id column: --channel does "
                              "not apply")
        login = ("broadcaster_login = $channel" if "broadcaster_login" in names else
                 "broadcaster_id in (select broadcaster_id from memory.main.chat_messages"
                 " where broadcaster_login = $channel)")
        where.append(f"(broadcaster_id = $channel or {login})")
        params["channel"] = filters.channel
    if filters.since is not None or filters.until is not None:
        column = time_column(cols)
        if column is None:
            raise ExportError(f"{_shown(source)} has no timestamp or date column: --since and "
                              "--until do not apply")
        # Lake tables are partitioned by `date` (the UTC day): a bound on it too skips whole
        # partitions instead of reading them to test each row's time.
        by_day = column != "date" and dict(cols).get("date") == "DATE"
        if filters.since is not None:
            where.append(f'q."{column}" >= $since')
            if by_day:
                where.append("q.date >= cast($since as date)")
            params["since"] = filters.since
        if filters.until is not None:
            where.append(f'q."{column}" < $until')
            if by_day:
                where.append("q.date <= cast($until as date)")
            params["until"] = filters.until
    if fmt == "csv":
        # CSV has no lists or structs: those columns go out as JSON text.
        select = ", ".join(
            f'to_json(q."{name}")::varchar as "{name}"' if _NESTED.search(kind) else f'q."{name}"'
            for name, kind in cols)
    else:
        select = "q.*"
    sql = f"select {select} from {rel} as q"
    if where:
        sql += " where " + " and ".join(where)
    return Plan(sql, params, cols)


def record_batches(con: duckdb.DuckDBPyConnection, export: Plan,
                   optouts: OptOutSet = NO_OPTOUTS) -> pa.RecordBatchReader:
    """The export's rows; rows naming an opted-out user or channel (by id or login, in the
    lake's or the marts' column names) are left out."""
    try:
        reader = con.execute(export.sql, export.params).to_arrow_reader(BATCH_ROWS)
    except duckdb.Error as error:
        raise ExportError(f"the export fails: {_first_line(error)}") from None
    if not optouts:
        return reader

    def kept() -> Iterator[pa.RecordBatch]:
        for batch in reader:
            yield from optouts.filter(pa.Table.from_batches([batch]))[0].to_batches()
    return pa.RecordBatchReader.from_batches(reader.schema, kept())


class _Drain(io.RawIOBase):
    """A write-only sink whose bytes are taken out after each batch."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        out, self.chunks = b"".join(self.chunks), []
        return out


def encode(reader: pa.RecordBatchReader, fmt: str) -> Iterator[tuple[bytes, int]]:
    """The export's bytes, a chunk per batch, each with the rows it holds."""
    batches: Iterable[pa.RecordBatch] = reader
    if fmt == "csv":
        sink = _Drain()
        with pa_csv.CSVWriter(sink, reader.schema) as writer:
            yield sink.take(), 0  # the header, even with no rows
            for batch in batches:
                writer.write_batch(batch)
                yield sink.take(), batch.num_rows
        return
    if fmt == "parquet":
        sink = _Drain()
        with pq.ParquetWriter(sink, reader.schema, compression="zstd") as writer:
            for batch in batches:
                writer.write_batch(batch)
                yield sink.take(), batch.num_rows
        yield sink.take(), 0  # the footer
        return
    if fmt not in ("jsonl", "json"):
        raise ExportError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    first = True
    if fmt == "json":
        yield b"[", 0
    for batch in batches:
        if batch.num_rows == 0:
            continue
        out = io.BytesIO()
        pl.from_arrow(pa.Table.from_batches([batch])).write_ndjson(out)
        lines = out.getvalue()
        if fmt == "json":
            lines = (b"" if first else b",\n") + lines.rstrip(b"\n").replace(b"\n", b",\n")
        first = False
        yield lines, batch.num_rows
    if fmt == "json":
        yield b"]\n", 0


def _quoted(value: str) -> str:
    return value.replace("'", "''")


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def _shown(source: str) -> str:
    flat = " ".join(source.split())
    return flat if len(flat) <= 60 else flat[:57] + "..."
