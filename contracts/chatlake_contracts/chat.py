"""The `chat-messages` record, version 1.

One JSON object per chat message, keyed by `broadcaster_id`. It extends DESIGN's seed shape
(`broadcaster_id, timestamp, message_id, text, user_id, user_name, metadata`) with where the
record came from, the VOD it belongs to, and what real chat carries besides text.

    {"v": 1,
     "message_id": str, "broadcaster_id": str, "broadcaster_login": str | null,
     "timestamp": int,            # epoch milliseconds, UTC: when the message was sent
     "text": str,                 # the message exactly as sent (ACTION framing removed)
     "user_id": str | null, "user_name": str | null,   # user_name is the login
     "user_display_name": str | null,
     "source": "eventsub" | "irc" | "twitchdownloader" | "chat_downloader" | "text_log"
               | "synthetic",
     "is_vod_comment": bool,      # posted on the VOD after the broadcast, not live chat
     "vod_id": str | null, "vod_offset_s": float | null,
     "is_first_message": bool | null,   # the chatter's first message in this channel, if known
     "is_action": bool,           # /me
     "bits": int,
     "reply_parent_message_id": str | null,
     "source_broadcaster_id": str | null,  # shared chat: the channel it was sent in
     "metadata": {"emotes": [{"emote_id": str, "begin": int, "end": int}],
                  "badges": [{"set_id": str, "version": str}],
                  "is_subscriber": bool, "is_mod": bool, "color": str | null}}

Emote positions are code-point indices into `text`, `begin` inclusive and `end` exclusive, so
`text[begin:end]` is the emote in Python. Sources that count differently convert at import.
"""

from typing import Any

from chatlake_contracts import _checks as check
from chatlake_contracts.errors import RecordError

VERSION = 1
SOURCES = frozenset(
    {"eventsub", "irc", "twitchdownloader", "chat_downloader", "text_log", "synthetic"}
)
# Twitch caps a chat message at 500 characters; anything far beyond is not a chat message.
MAX_TEXT_LENGTH = 2000
MAX_EMOTES = 500
MAX_BADGES = 50


def chat_message(
    *,
    message_id: str,
    broadcaster_id: str,
    timestamp: int,
    text: str,
    source: str,
    broadcaster_login: str | None = None,
    user_id: str | None = None,
    user_name: str | None = None,
    user_display_name: str | None = None,
    is_vod_comment: bool = False,
    vod_id: str | None = None,
    vod_offset_s: float | None = None,
    is_first_message: bool | None = None,
    is_action: bool = False,
    bits: int = 0,
    reply_parent_message_id: str | None = None,
    source_broadcaster_id: str | None = None,
    emotes: list[dict[str, Any]] | None = None,
    badges: list[dict[str, str]] | None = None,
    is_subscriber: bool = False,
    is_mod: bool = False,
    color: str | None = None,
) -> dict[str, Any]:
    """Build a v1 record. Producers call `validate_chat_message` on the result at the edge."""
    return {
        "v": VERSION,
        "message_id": message_id,
        "broadcaster_id": broadcaster_id,
        "broadcaster_login": broadcaster_login,
        "timestamp": timestamp,
        "text": text,
        "user_id": user_id,
        "user_name": user_name,
        "user_display_name": user_display_name,
        "source": source,
        "is_vod_comment": is_vod_comment,
        "vod_id": vod_id,
        "vod_offset_s": vod_offset_s,
        "is_first_message": is_first_message,
        "is_action": is_action,
        "bits": bits,
        "reply_parent_message_id": reply_parent_message_id,
        "source_broadcaster_id": source_broadcaster_id,
        "metadata": {
            "emotes": emotes or [],
            "badges": badges or [],
            "is_subscriber": is_subscriber,
            "is_mod": is_mod,
            "color": color,
        },
    }


def validate_chat_message(record: Any) -> dict[str, Any]:
    """Return `record` if it is a valid v1 chat message, else raise RecordError naming the field.

    Every chat message passes here at least once (importers, the ingest service, the archiver's
    slow path), so a well-formed record takes a quick path (`_conforms`, ~4x cheaper); only
    a record it does not accept goes through the field-by-field checks that name the problem.
    """
    if _conforms(record):
        return record
    _check_fields(record)
    return record


def _check_fields(record: Any) -> None:
    if not isinstance(record, dict):
        raise RecordError(f"a chat message must be a JSON object, got {type(record).__name__}")
    version = check.require(record, "v")
    if version != VERSION:
        raise RecordError(f"unsupported chat message version {version!r}, expected {VERSION}")
    check.string(check.require(record, "message_id"), "message_id")
    check.string(check.require(record, "broadcaster_id"), "broadcaster_id")
    check.string(record.get("broadcaster_login"), "broadcaster_login", optional=True)
    check.timestamp_ms(check.require(record, "timestamp"))
    text = check.string(check.require(record, "text"), "text", allow_empty=True,
                        max_length=MAX_TEXT_LENGTH)
    for field in ("user_id", "user_name", "user_display_name", "vod_id",
                  "reply_parent_message_id", "source_broadcaster_id"):
        check.string(record.get(field), field, optional=True)
    check.one_of(check.require(record, "source"), "source", SOURCES)
    check.boolean(record.get("is_vod_comment", False), "is_vod_comment")
    check.number(record.get("vod_offset_s"), "vod_offset_s", optional=True)
    check.boolean(record.get("is_first_message"), "is_first_message", optional=True)
    check.boolean(record.get("is_action", False), "is_action")
    check.integer(record.get("bits", 0), "bits", low=0)
    metadata = check.require(record, "metadata")
    if not isinstance(metadata, dict):
        raise RecordError("field 'metadata' must be an object")
    _validate_emotes(metadata.get("emotes", []), text)
    _validate_badges(metadata.get("badges", []))
    check.boolean(metadata.get("is_subscriber", False), "metadata.is_subscriber")
    check.boolean(metadata.get("is_mod", False), "metadata.is_mod")
    check.string(metadata.get("color"), "metadata.color", optional=True)


def _validate_emotes(emotes: Any, text: str) -> None:
    if not isinstance(emotes, list) or len(emotes) > MAX_EMOTES:
        raise RecordError(f"field 'metadata.emotes' must be a list of at most {MAX_EMOTES}")
    for emote in emotes:
        if not isinstance(emote, dict):
            raise RecordError("each of 'metadata.emotes' must be an object")
        check.string(emote.get("emote_id"), "metadata.emotes.emote_id")
        begin = check.integer(emote.get("begin"), "metadata.emotes.begin", low=0)
        end = check.integer(emote.get("end"), "metadata.emotes.end", low=1)
        if not begin < end <= len(text):
            raise RecordError(
                f"emote range [{begin}, {end}) does not fit a text of {len(text)} characters"
            )


def _validate_badges(badges: Any) -> None:
    if not isinstance(badges, list) or len(badges) > MAX_BADGES:
        raise RecordError(f"field 'metadata.badges' must be a list of at most {MAX_BADGES}")
    for badge in badges:
        if not isinstance(badge, dict):
            raise RecordError("each of 'metadata.badges' must be an object")
        check.string(badge.get("set_id"), "metadata.badges.set_id")
        check.string(badge.get("version"), "metadata.badges.version", optional=True)


_REQUIRED_STRINGS = ("message_id", "broadcaster_id")
_OPTIONAL_STRINGS = ("broadcaster_login", "user_id", "user_name", "user_display_name", "vod_id",
                     "reply_parent_message_id", "source_broadcaster_id")


def _conforms(record: Any) -> bool:
    """True only if `_check_fields(record)` passes; False may also mean "not sure".

    Exact type checks and no per-field calls; tests hold it to never accept a record the
    field-by-field checks reject."""
    try:
        if record["v"] != VERSION or type(record["v"]) is not int:
            return False
        text = record["text"]
        if type(text) is not str or len(text) > MAX_TEXT_LENGTH:
            return False
        timestamp = record["timestamp"]
        if type(timestamp) is not int or not (
                check.MIN_TIMESTAMP_MS <= timestamp < check.MAX_TIMESTAMP_MS):
            return False
        for field in _REQUIRED_STRINGS:
            value = record[field]
            if type(value) is not str or not value or len(value) > check.MAX_STRING_LENGTH:
                return False
        for field in _OPTIONAL_STRINGS:
            value = record[field]
            if value is not None and (
                    type(value) is not str or len(value) > check.MAX_STRING_LENGTH):
                return False
        if record["source"] not in SOURCES or type(record["source"]) is not str:
            return False
        if type(record["is_vod_comment"]) is not bool or type(record["is_action"]) is not bool:
            return False
        first = record["is_first_message"]
        if first is not None and type(first) is not bool:
            return False
        offset = record["vod_offset_s"]
        if offset is not None and type(offset) is not float and type(offset) is not int:
            return False
        bits = record["bits"]
        if type(bits) is not int or bits < 0:
            return False
        metadata = record["metadata"]
        if type(metadata) is not dict:
            return False
        return _metadata_conforms(metadata, len(text))
    except (KeyError, TypeError, AttributeError):
        return False


def _metadata_conforms(metadata: dict, text_length: int) -> bool:
    emotes = metadata["emotes"]
    badges = metadata["badges"]
    if type(emotes) is not list or len(emotes) > MAX_EMOTES:
        return False
    if type(badges) is not list or len(badges) > MAX_BADGES:
        return False
    for emote in emotes:
        emote_id = emote["emote_id"]
        begin = emote["begin"]
        end = emote["end"]
        if (type(emote_id) is not str or not emote_id or len(emote_id) > check.MAX_STRING_LENGTH
                or type(begin) is not int or type(end) is not int
                or not 0 <= begin < end <= text_length):
            return False
    for badge in badges:
        set_id = badge["set_id"]
        version = badge["version"]
        if type(set_id) is not str or not set_id or len(set_id) > check.MAX_STRING_LENGTH:
            return False
        if version is not None and (type(version) is not str
                                    or len(version) > check.MAX_STRING_LENGTH):
            return False
    color = metadata["color"]
    if color is not None and (type(color) is not str or len(color) > check.MAX_STRING_LENGTH):
        return False
    return type(metadata["is_subscriber"]) is bool and type(metadata["is_mod"]) is bool
