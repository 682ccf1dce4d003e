"""The detector's pure-Python reference: the same windows and detections as the PyFlink job,
computed by DuckDB and `chatlake_contracts.detector` without Kafka or Flink.

The job and this module share the algorithm (one `step` function in the contracts package) and
apply the same rule to the messages (`chatlake_contracts.counting`: a channel, an epoch-ms
timestamp between 2005 and 2100, a text that is not a `!` command).
Windows are `bucket_ms` long and aligned to the epoch; a window's chatters are the distinct
`coalesce(user_id, user_name)`. The one difference: the job drops messages that arrive later than
its watermark (out-of-orderness bound), the reference sees every message. On input that is in
time order per channel, as a replayed file is, the two agree exactly.

Used by the tests, by `chatlake detector reference`, and by the tuning jobs.
"""

from collections.abc import Iterable, Mapping
from typing import Any

import duckdb
import pyarrow as pa
from chatlake_contracts import counting, window_content
from chatlake_contracts.detector import Detection, DetectorParams, run

# (broadcaster_id, window_start, window_end, message_count, chatter_count), epoch ms, then with
# content=True the window_content.CONTENT_FIELDS (what the learned scorer reads).
Window = tuple

_MESSAGE_COLUMNS = pa.schema([
    ("broadcaster_id", pa.string()),
    ("timestamp", pa.int64()),
    ("text", pa.string()),
    ("user_id", pa.string()),
    ("user_name", pa.string()),
])


def _windows_sql(source: str, timestamp_ms: str, bucket_ms: int, content: bool = False) -> str:
    extra = f",\n{window_content.duckdb_content('text')}" if content else ""
    columns = "".join(f", {name}" for name in window_content.CONTENT_FIELDS) if content else ""
    return f"""
        with messages as (
            select broadcaster_id, {timestamp_ms} as ts, text,
                   coalesce(user_id, user_name) as chatter
            from {source}
        ),
        counted as (
            select * from messages
            where {counting.duckdb_counts("broadcaster_id", "ts", "text")}
        ),
        windows as (
            select broadcaster_id, ts - ts % {bucket_ms} as window_start,
                   count(*) as message_count, count(distinct chatter) as chatter_count{extra}
            from counted
            group by broadcaster_id, window_start
        )
        select broadcaster_id, window_start, window_start + {bucket_ms} as window_end,
               message_count, chatter_count{columns}
        from windows
        order by broadcaster_id, window_start
    """


def windows_from_records(records: Iterable[dict[str, Any]], bucket_ms: int = 5_000,
                         content: bool = False) -> list[Window]:
    """Window counts of v1 chat records (dicts; other fields are ignored); `content` adds the
    window_content counts."""
    table = pa.Table.from_pylist(
        [{name: r.get(name) for name in _MESSAGE_COLUMNS.names} for r in records],
        schema=_MESSAGE_COLUMNS,
    )
    con = duckdb.connect()
    con.register("chat_records", table)
    return [tuple(row) for row in con.execute(
        _windows_sql("chat_records", "timestamp", bucket_ms, content)).fetchall()]


def windows_from_lake(con: duckdb.DuckDBPyConnection, bucket_ms: int = 5_000,
                      where: str = "true", content: bool = False) -> list[Window]:
    """Window counts of the lake's `chat_messages` view (warehouse.catalog.connect), e.g.
    `where="broadcaster_id = '123' and date = '2024-01-06'"`."""
    source = f"(select * from chat_messages where {where})"
    return [tuple(row) for row in con.execute(
        _windows_sql(source, "epoch_ms(timestamp)", bucket_ms, content)).fetchall()]


def detect(windows: Iterable[Window], params: DetectorParams,
           channels: Mapping[str, DetectorParams] | None = None) -> list[Detection]:
    """The detections the job makes on these windows, ordered by channel and window end;
    `channels` are per-broadcaster parameters (the applied params file's)."""
    return run(params, list(windows), channels)
