"""Arrow schemas of the lake's datasets: the record contracts, typed for Parquet.

Each dataset is a folder of the lake with hive-style `date=YYYY-MM-DD` partitions (UTC day of
the record's own time). Field names and nesting mirror the JSON contracts, so a Kafka record is
parsed straight into these schemas (pyarrow's JSON reader) without per-record Python work.
"""

from dataclasses import dataclass

import pyarrow as pa
from chatlake_contracts import topics

TIMESTAMP = pa.timestamp("ms", tz="UTC")

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


@dataclass(frozen=True)
class Dataset:
    """A lake dataset: its folder, the topic that feeds it, its record schema, and which epoch-ms
    column gives each row's partition day."""

    name: str
    topic: str
    schema: pa.Schema
    time_column: str

    @property
    def ms_columns(self) -> tuple[str, ...]:
        """Epoch-millisecond columns that Parquet stores as UTC timestamps."""
        return tuple(f.name for f in self.schema if f.name in {
            "timestamp", "window_start", "window_end"})


CHAT_MESSAGES = Dataset("chat_messages", topics.CHAT_MESSAGES, CHAT_MESSAGE_SCHEMA, "timestamp")
STREAM_LIFECYCLE = Dataset("stream_lifecycle", topics.STREAM_LIFECYCLE, LIFECYCLE_SCHEMA,
                           "timestamp")
CHAT_WINDOWS = Dataset("chat_windows", topics.CHAT_WINDOWS, CHAT_WINDOW_SCHEMA, "window_start")
DEAD_LETTERS = Dataset("dead_letters", topics.DEAD_LETTERS, DEAD_LETTER_SCHEMA, "timestamp")

DATASETS: tuple[Dataset, ...] = (CHAT_MESSAGES, STREAM_LIFECYCLE, CHAT_WINDOWS, DEAD_LETTERS)
DATASET_BY_TOPIC = {d.topic: d for d in DATASETS}
