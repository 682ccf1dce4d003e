"""What an imported broadcast was about, for the `streams` table the monitor also fills
(migration 0008): its channel and span from the file's live chat, its title from the file when
the file has one (TwitchDownloader's `video.title`), and game, language or title as the user
gave them (`chatlake import --game --language --title`). Community labels read that table."""

import gzip
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from ingest.importers import ImportOptions, read_chat_file


@dataclass(frozen=True)
class StreamDescription:
    """What the user says an imported file's stream was about (None: not said)."""

    game: str | None = None
    language: str | None = None
    title: str | None = None

    def __bool__(self) -> bool:
        return any((self.game, self.language, self.title))


@dataclass(frozen=True)
class ImportedStream:
    broadcaster_id: str
    started_at: datetime
    ended_at: datetime
    game_name: str | None
    title: str | None
    language: str | None


def imported_stream(path: Path, options: ImportOptions,
                    said: StreamDescription) -> ImportedStream | None:
    """The stream of the chat file at `path` (one channel's broadcast), or None when it holds
    no chat with a channel."""
    broadcaster_id, first_ms, last_ms = None, None, None
    for record in read_chat_file(path, options):
        if not isinstance(record, dict) or not record.get("broadcaster_id"):
            continue
        broadcaster_id = broadcaster_id or record["broadcaster_id"]
        first_ms = record["timestamp"] if first_ms is None else min(first_ms, record["timestamp"])
        last_ms = record["timestamp"] if last_ms is None else max(last_ms, record["timestamp"])
    if broadcaster_id is None:
        return None
    return ImportedStream(broadcaster_id, _utc(first_ms), _utc(last_ms), said.game,
                          said.title or file_title(path), said.language)


def file_title(path: Path) -> str | None:
    """The video title a TwitchDownloader JSON file carries, else None."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8") as handle:
            root = json.load(handle)
    except (OSError, ValueError):
        return None  # not JSON: IRC logs and text logs carry no title
    video = root.get("video") if isinstance(root, dict) else None
    title = video.get("title") if isinstance(video, dict) else None
    return title if isinstance(title, str) and title.strip() else None


def record_stream(conn: psycopg.Connection, stream: ImportedStream) -> None:
    """Upsert the stream's row; what the user said replaces what an earlier import or poll
    stored, what they did not say keeps it."""
    conn.execute(
        "insert into streams (broadcaster_id, started_at, game_name, title, language,"
        " first_seen_at, last_seen_at) values (%s, %s, %s, %s, %s, %s, %s)"
        " on conflict (broadcaster_id, started_at) do update set"
        " game_name = coalesce(excluded.game_name, streams.game_name),"
        " title = coalesce(excluded.title, streams.title),"
        " language = coalesce(excluded.language, streams.language),"
        " last_seen_at = greatest(streams.last_seen_at, excluded.last_seen_at)",
        [stream.broadcaster_id, stream.started_at, stream.game_name, stream.title,
         stream.language, stream.started_at, stream.ended_at])


def _utc(epoch_ms: int) -> datetime:
    return datetime.fromtimestamp(epoch_ms / 1000, UTC)
