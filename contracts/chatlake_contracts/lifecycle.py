"""The `stream-lifecycle` record, version 1: a channel was joined (online) or left (offline).

    {"v": 1, "event_type": "online" | "offline", "broadcaster_id": str,
     "broadcaster_login": str, "rank": int | null, "timestamp": int (epoch ms),
     "reason": str | null}     # why the monitor joined or left, e.g. "entered top 5"
"""

from typing import Any

from chatlake_contracts import _checks as check
from chatlake_contracts.errors import RecordError

VERSION = 1
EVENT_TYPES = frozenset({"online", "offline"})


def lifecycle_event(*, event_type: str, broadcaster_id: str, broadcaster_login: str,
                    timestamp: int, rank: int | None = None,
                    reason: str | None = None) -> dict[str, Any]:
    return {"v": VERSION, "event_type": event_type, "broadcaster_id": broadcaster_id,
            "broadcaster_login": broadcaster_login, "rank": rank, "timestamp": timestamp,
            "reason": reason}


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
    return record
