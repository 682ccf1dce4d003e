"""Turning a built record into the importer's output: the record itself, or a BadLine saying
which contract rule it broke.

`validate_chat_message` costs ~2.5 µs a record, more than parsing one. `conforms` is a quick
check that accepts a record only when `validate_chat_message` would (tests hold it to that on
every real file and on randomly broken records); whatever it does not accept goes through the
contract's own validator, which gives the error or, if the quick check was just stricter, lets
the record pass."""

from chatlake_contracts._checks import MAX_TIMESTAMP_MS, MIN_TIMESTAMP_MS
from chatlake_contracts.chat import (
    MAX_BADGES,
    MAX_EMOTES,
    MAX_TEXT_LENGTH,
    SOURCES,
    VERSION,
    validate_chat_message,
)
from chatlake_contracts.errors import RecordError

from ingest.importers.common import BadLine, bad_line

# The contract's default limit for its string fields (chatlake_contracts._checks.string).
MAX_STRING_LENGTH = 256
_REQUIRED_STRINGS = ("message_id", "broadcaster_id")
_OPTIONAL_STRINGS = ("broadcaster_login", "user_id", "user_name", "user_display_name", "vod_id",
                     "reply_parent_message_id", "source_broadcaster_id")


def finish_record(record: dict, location: str, raw: str) -> dict | BadLine:
    """`record` if it passes the v1 contract, else a BadLine for the input it came from."""
    if conforms(record):
        return record
    try:
        return validate_chat_message(record)
    except RecordError as error:
        return bad_line(location, f"not a valid chat record: {error}", raw)


def conforms(record: dict) -> bool:
    """True only if validate_chat_message(record) passes; False may also mean "not sure"."""
    try:
        if record["v"] != VERSION or type(record["v"]) is not int:
            return False
        text = record["text"]
        if type(text) is not str or len(text) > MAX_TEXT_LENGTH:
            return False
        timestamp = record["timestamp"]
        if type(timestamp) is not int or not MIN_TIMESTAMP_MS <= timestamp < MAX_TIMESTAMP_MS:
            return False
        for field in _REQUIRED_STRINGS:
            value = record[field]
            if type(value) is not str or not value or len(value) > MAX_STRING_LENGTH:
                return False
        for field in _OPTIONAL_STRINGS:
            value = record[field]
            if value is not None and (type(value) is not str or len(value) > MAX_STRING_LENGTH):
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
    except (KeyError, TypeError):
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
        if (type(emote_id) is not str or not emote_id or len(emote_id) > MAX_STRING_LENGTH
                or type(begin) is not int or type(end) is not int
                or not 0 <= begin < end <= text_length):
            return False
    for badge in badges:
        set_id = badge["set_id"]
        version = badge["version"]
        if type(set_id) is not str or not set_id or len(set_id) > MAX_STRING_LENGTH:
            return False
        if version is not None and (type(version) is not str
                                    or len(version) > MAX_STRING_LENGTH):
            return False
    color = metadata["color"]
    if color is not None and (type(color) is not str or len(color) > MAX_STRING_LENGTH):
        return False
    return type(metadata["is_subscriber"]) is bool and type(metadata["is_mod"]) is bool
