"""The `chat-windows` record, version 1: one tumbling window of one channel's chat.

    {"v": 1, "broadcaster_id": str, "window_start": int, "window_end": int,  # epoch ms
     "message_count": int, "chatter_count": int}

Written by the detector for every window it closes; the archiver lands them in the lake.
"""

from typing import Any

from chatlake_contracts import _checks as check
from chatlake_contracts.errors import RecordError

VERSION = 1


def chat_window(*, broadcaster_id: str, window_start: int, window_end: int,
                message_count: int, chatter_count: int) -> dict[str, Any]:
    return {"v": VERSION, "broadcaster_id": broadcaster_id, "window_start": window_start,
            "window_end": window_end, "message_count": message_count,
            "chatter_count": chatter_count}


def validate_chat_window(record: Any) -> dict[str, Any]:
    if not isinstance(record, dict):
        raise RecordError(f"a chat window must be a JSON object, got {type(record).__name__}")
    if check.require(record, "v") != VERSION:
        raise RecordError(f"unsupported chat window version {record['v']!r}")
    check.string(check.require(record, "broadcaster_id"), "broadcaster_id")
    start = check.timestamp_ms(check.require(record, "window_start"), "window_start")
    end = check.timestamp_ms(check.require(record, "window_end"), "window_end")
    if end <= start:
        raise RecordError(f"window_end {end} is not after window_start {start}")
    check.integer(check.require(record, "message_count"), "message_count", low=0)
    check.integer(check.require(record, "chatter_count"), "chatter_count", low=0)
    return record
