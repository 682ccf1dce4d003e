"""The `stream-lifecycle` record, version 1: a channel was joined (online) or left (offline).

    {"v": 1, "event_type": "online" | "offline", "broadcaster_id": str,
     "broadcaster_login": str, "rank": int | null, "timestamp": int (epoch ms),
     "reason": str | null,     # why the monitor joined or left, e.g. "entered top 5"
     "game_id": str | null, "game_name": str | null, "title": str | null,
     "language": str | null}   # what the stream is about, from Get Streams (optional: events
                               # written before these fields, or without a poll, lack them)
"""

from typing import Any

from chatlake_contracts import _checks as check
from chatlake_contracts.errors import RecordError

VERSION = 1
EVENT_TYPES = frozenset({"online", "offline"})
STREAM_FIELDS = ("game_id", "game_name", "title", "language")


def lifecycle_event(*, event_type: str, broadcaster_id: str, broadcaster_login: str,
                    timestamp: int, rank: int | None = None,
                    reason: str | None = None, game_id: str | None = None,
                    game_name: str | None = None, title: str | None = None,
                    language: str | None = None) -> dict[str, Any]:
    return {"v": VERSION, "event_type": event_type, "broadcaster_id": broadcaster_id,
            "broadcaster_login": broadcaster_login, "rank": rank, "timestamp": timestamp,
            "reason": reason, "game_id": game_id, "game_name": game_name, "title": title,
            "language": language}


def validate_lifecycle_event(record: Any) -> dict[str, Any]:
    if not isinstance(record, dict):
        raise RecordError(f"a lifecycle event must be a JSON object, got {type(record).__name__}")
    if check.require(record, "v") != VERSION:
        raise RecordError(f"unsupported lifecycle event version {record['v']!r}")
    check.one_of(check.require(record, "event_type"), "event_type", EVENT_TYPES)
    check.string(check.require(record, "broadcaster_id"), "broadcaster_id")
    check.string(check.require(record, "broadcaster_login"), "broadcaster_login")
    check.integer(record.get("rank"), "rank", optional=True, low=1)
    check.timestamp_ms(check.require(record, "timestamp"))
    check.string(record.get("reason"), "reason", optional=True)
    for field in STREAM_FIELDS:  # additive and optional: version 1 records without them pass
        check.string(record.get(field), field, optional=True, allow_empty=True)
    return record
