"""Arrow schemas of the lake's datasets: the record contracts, typed for Parquet.

Each dataset is a Delta table of the lake partitioned by `date` (the UTC day of the record's own
time). Field names and nesting mirror the JSON contracts, so a Kafka record is parsed straight
into these schemas without per-record Python work; the lake adds its own columns after them.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
from chatlake_contracts import topics
from chatlake_contracts.chat import validate_chat_message
from chatlake_contracts.lifecycle import validate_lifecycle_event
from chatlake_contracts.windows import validate_chat_window

TIMESTAMP = pa.timestamp("ms", tz="UTC")
# The partition column: the UTC day of the record's own time, a date.
PARTITION_COLUMN = "date"
# Content hash of the chat file an imported row came from (null for rows from Kafka): how a
# re-import finds the rows it replaces (ingest/chat_import.py).
IMPORT_DIGEST = pa.field("import_digest", pa.string())

CHAT_MESSAGE_SCHEMA = pa.schema([
    ("v", pa.int16()),
    ("message_id", pa.string()),
    ("broadcaster_id", pa.string()),
    ("broadcaster_login", pa.string()),
    ("timestamp", pa.int64()),
    ("text", pa.string()),
    ("user_id", pa.string()),
    ("user_name", pa.string()),
    ("user_display_name", pa.string()),
    ("source", pa.string()),
    ("is_vod_comment", pa.bool_()),
    ("vod_id", pa.string()),
    ("vod_offset_s", pa.float64()),
    ("is_first_message", pa.bool_()),
    ("is_action", pa.bool_()),
    ("bits", pa.int32()),
    ("reply_parent_message_id", pa.string()),
    ("source_broadcaster_id", pa.string()),
    ("metadata", pa.struct([
        ("emotes", pa.list_(pa.struct([
            ("emote_id", pa.string()), ("begin", pa.int32()), ("end", pa.int32()),
        ]))),
        ("badges", pa.list_(pa.struct([("set_id", pa.string()), ("version", pa.string())]))),
        ("is_subscriber", pa.bool_()),
        ("is_mod", pa.bool_()),
        ("color", pa.string()),
    ])),
])

LIFECYCLE_SCHEMA = pa.schema([
    ("v", pa.int16()),
    ("event_type", pa.string()),
    ("broadcaster_id", pa.string()),
    ("broadcaster_login", pa.string()),
    ("rank", pa.int32()),
    ("timestamp", pa.int64()),
    ("reason", pa.string()),
])

CHAT_WINDOW_SCHEMA = pa.schema([
    ("v", pa.int16()),
    ("broadcaster_id", pa.string()),
    ("window_start", pa.int64()),
    ("window_end", pa.int64()),
    ("message_count", pa.int64()),
    ("chatter_count", pa.int64()),
])

DEAD_LETTER_SCHEMA = pa.schema([
    ("v", pa.int16()),
    ("origin", pa.string()),
    ("error", pa.string()),
    ("raw", pa.string()),
    ("location", pa.string()),
    ("timestamp", pa.int64()),
])


def validate_dead_letter(record: Any) -> dict[str, Any]:
    if not isinstance(record, dict) or not isinstance(record.get("error"), str):
        raise ValueError("a dead letter must be an object with an 'error' string")
    return record


@dataclass(frozen=True)
class Dataset:
    """A lake dataset: its folder, the topic that feeds it, its record schema, the epoch-ms
    column that gives each row's partition day, the contract's validator, and the columns a
    valid record never leaves null (checked in bulk before the per-record validator runs)."""

    name: str
    topic: str
    schema: pa.Schema
    time_column: str
    validate: Callable[[Any], dict[str, Any]]
    required_columns: tuple[str, ...]
    lake_columns: tuple[pa.Field, ...] = ()

    @property
    def ms_columns(self) -> tuple[str, ...]:
        """Epoch-millisecond columns that Parquet stores as UTC timestamps."""
        return tuple(f.name for f in self.schema if f.name in {
            "timestamp", "window_start", "window_end"})

    @property
    def read_schema(self) -> pa.Schema:
        """The table's schema, as readers see it (the DuckDB views, dbt's lake sources): the
        record schema with epoch-ms columns as UTC timestamps, the lake's own columns, then the
        `date` partition column. Also the shape of the empty relation read while the table does
        not exist yet; dbt's own copy in `_staging__sources.yml` is held equal to it by
        tests/dbt/test_lake_sources.py."""
        ms_columns = self.ms_columns
        fields = [f.with_type(TIMESTAMP) if f.name in ms_columns else f for f in self.schema]
        return pa.schema([*fields, *self.lake_columns, pa.field(PARTITION_COLUMN, pa.date32())])


CHAT_MESSAGES = Dataset(
    "chat_messages", topics.CHAT_MESSAGES, CHAT_MESSAGE_SCHEMA, "timestamp",
    validate_chat_message,
    ("v", "message_id", "broadcaster_id", "timestamp", "text", "source", "metadata"),
    (IMPORT_DIGEST,),
)
STREAM_LIFECYCLE = Dataset(
    "stream_lifecycle", topics.STREAM_LIFECYCLE, LIFECYCLE_SCHEMA, "timestamp",
    validate_lifecycle_event,
    ("v", "event_type", "broadcaster_id", "broadcaster_login", "timestamp"),
)
CHAT_WINDOWS = Dataset(
    "chat_windows", topics.CHAT_WINDOWS, CHAT_WINDOW_SCHEMA, "window_start",
    validate_chat_window,
    ("v", "broadcaster_id", "window_start", "window_end", "message_count", "chatter_count"),
)
DEAD_LETTERS = Dataset(
    "dead_letters", topics.DEAD_LETTERS, DEAD_LETTER_SCHEMA, "timestamp",
    validate_dead_letter, ("error", "timestamp"), (IMPORT_DIGEST,),
)

DATASETS: tuple[Dataset, ...] = (CHAT_MESSAGES, STREAM_LIFECYCLE, CHAT_WINDOWS, DEAD_LETTERS)
DATASET_BY_TOPIC = {d.topic: d for d in DATASETS}
