"""Chat to replay: chat files or a lake slice -> one DuckDB table of messages on each video's
own timeline.

The timeline is the one labels use: seconds from the video start (`vod_offset_s`). Each video is
replayed as its own channel at `REPLAY_EPOCH_MS + offset`, a time aligned to every whole-second
bucket, so the reference's epoch-aligned windows start at the video start and a window end maps
back to video seconds by one subtraction. A video therefore gets a fresh detector state, as a
channel going live does. Messages without `vod_offset_s` (IRC and text logs, live chat archived
from Kafka) use seconds since `--start` (or since their first message).

Comments posted on a VOD after the broadcast (`is_vod_comment`) are dropped: the live stream
never saw them.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from ingest.importers import BadLine, ImportOptions, read_chat_file
from ingest.importers.common import datetime_to_ms

# 2020-01-01T00:00:00Z: a whole number of days, so aligned to any bucket that divides a day.
REPLAY_EPOCH_MS = 1_577_836_800_000

# Emote names the stream can recognise as plain words (BTTV/FFZ/7TV emotes and old chat without
# emote positions). Small on purpose: a channel's own sets come from the emote tables later.
GLOBAL_EMOTE_WORDS = frozenset([
    "Kappa", "KappaPride", "Keepo", "PogChamp", "Pog", "POGGERS", "PogU", "LUL", "LULW",
    "OMEGALUL", "4Head", "BibleThump", "ResidentSleeper", "Kreygasm", "DansGame", "SwiftRage",
    "WutFace", "NotLikeThis", "FailFish", "BabyRage", "TriHard", "cmonBruh", "SMOrc",
    "HeyGuys", "VoHiYo", "SeemsGood", "CoolStoryBob", "EleGiggle", "Jebaited", "PJSalt",
    "MingLee", "haHAA", "FeelsBadMan", "FeelsGoodMan", "FeelsStrongMan", "FeelsWeirdMan",
    "monkaS", "monkaW", "PepeHands", "PepeLaugh", "Pepega", "KEKW", "Kapp", "WeirdChamp",
    "5Head", "EZ", "Clap", "gachiGASM", "gachiBASS", "forsenE", "CiGrip", "BloodTrail",
    "PunOko", "TheIlluminati",
])

_SOURCE_SCHEMA = pa.schema([
    ("video_id", pa.string()),
    ("offset_ms", pa.int64()),
    ("text", pa.string()),
    ("user_id", pa.string()),
    ("user_name", pa.string()),
    ("emote_chars", pa.int64()),
])


class ChatInputError(ValueError):
    """The chat to replay cannot be used (unreadable file, nothing left to replay)."""


@dataclass
class ChatInput:
    """Messages of every video, registered in `con` as the table `replay_messages`."""

    con: duckdb.DuckDBPyConnection
    description: str
    bad_lines: int = 0
    vod_comments_dropped: int = 0
    files: list[str] = field(default_factory=list)

    def video_ids(self) -> list[str]:
        return [r[0] for r in self.con.execute(
            "select distinct video_id from replay_messages order by video_id").fetchall()]

    def message_counts(self) -> dict[str, int]:
        return dict(self.con.execute(
            "select video_id, count(*) from replay_messages group by video_id").fetchall())


def _emote_words_sql() -> str:
    words = ", ".join("'" + w.replace("'", "''") + "'" for w in sorted(GLOBAL_EMOTE_WORDS))
    return f"[{words}]"


def _register(con: duckdb.DuckDBPyConnection, source: str) -> None:
    """`source` has the `_SOURCE_SCHEMA` columns. A message is emote-only when its emote
    positions cover every non-space character, or every word is a known emote word."""
    con.execute(f"""
        create or replace table replay_messages as
        select video_id, {REPLAY_EPOCH_MS} + offset_ms as timestamp, text, user_id, user_name,
               text is not null and length(trim(text)) > 0 and (
                   coalesce(emote_chars, 0) >= length(regexp_replace(text, '\\s', '', 'g'))
                   or list_bool_and(list_transform(
                          string_split_regex(trim(text), '\\s+'),
                          lambda w: list_contains({_emote_words_sql()}, w)))
               ) as emote_only
        from {source}
    """)


def _row(record: dict, start_ms: int | None) -> dict:
    offset_s = record.get("vod_offset_s")
    if offset_s is not None:
        offset_ms = round(offset_s * 1000)
    else:
        offset_ms = record["timestamp"] - (start_ms or 0)
    emotes = (record.get("metadata") or {}).get("emotes") or []
    return {
        "video_id": record.get("vod_id"), "offset_ms": offset_ms, "text": record["text"],
        "user_id": record.get("user_id"), "user_name": record.get("user_name"),
        "emote_chars": sum(e["end"] - e["begin"] for e in emotes),
    }


def from_files(paths: Iterable[Path], options: ImportOptions, video_id: str | None = None,
               timeline_start: datetime | None = None) -> ChatInput:
    """Chat files in any importer format. The video id is the file's VOD id, else `video_id`,
    else the file name up to its first dot. Messages without a video offset are timed from
    `timeline_start`, else from their file's first message."""
    rows, report = [], ChatInput(duckdb.connect(), "")
    start_ms = datetime_to_ms(timeline_start) if timeline_start else None
    for path in map(Path, paths):
        records = []
        for item in read_chat_file(path, options):  # ImportFileError propagates: whole file bad
            if isinstance(item, BadLine):
                report.bad_lines += 1
            elif item.get("is_vod_comment"):
                report.vod_comments_dropped += 1
            else:
                records.append(item)
        first_ms = start_ms if start_ms is not None else min(
            (r["timestamp"] for r in records), default=0)
        fallback = video_id or path.name.split(".", 1)[0]
        for record in records:
            row = _row(record, first_ms)
            row["video_id"] = video_id or row["video_id"] or fallback
            rows.append(row)
        report.files.append(path.name)
    if not rows:
        raise ChatInputError("no chat messages to replay in the given files")
    report.con.register("_source_rows", pa.Table.from_pylist(rows, schema=_SOURCE_SCHEMA))
    _register(report.con, "_source_rows")
    report.con.unregister("_source_rows")
    report.description = f"{len(report.files)} chat file(s)"
    return report


def from_lake(lake_con: duckdb.DuckDBPyConnection, channels: list[str] | None = None,
              since: datetime | None = None, until: datetime | None = None) -> ChatInput:
    """A slice of the lake's `chat_messages` (a connection from `warehouse.catalog.connect`).
    Videos are the VOD ids of imported chat; live chat without one is keyed by channel and
    timed in seconds since 1970 (its labels must use epoch seconds too)."""
    where = ["not coalesce(is_vod_comment, false)"]
    params: list = []
    if channels:
        where.append("(broadcaster_id in (select unnest(?)) "
                     "or broadcaster_login in (select unnest(?)))")
        params += [channels, channels]
    if since:
        where.append("timestamp >= ?")
        params.append(since)
    if until:
        where.append("timestamp < ?")
        params.append(until)
    table = lake_con.sql(f"""
        select coalesce(vod_id, broadcaster_id) as video_id,
               coalesce(cast(round(vod_offset_s * 1000) as bigint),
                        epoch_ms(timestamp)) as offset_ms,
               text, user_id, user_name,
               cast(coalesce(list_sum(list_transform(emotes, lambda e: e."end" - e."begin")), 0)
                    as bigint) as emote_chars
        from chat_messages where {' and '.join(where)}
    """, params=params).to_arrow_table()
    if table.num_rows == 0:
        raise ChatInputError("the lake slice has no chat messages (check --channel/--since/"
                             "--until and that the chat was imported)")
    con = duckdb.connect()
    con.register("_source_rows", table)
    _register(con, "_source_rows")
    con.unregister("_source_rows")
    return ChatInput(con, f"lake slice ({', '.join(channels or ['all channels'])})")
