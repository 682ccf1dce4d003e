"""Telling the chat file formats apart by their content; the file name is only a hint."""

import re
from pathlib import Path

import orjson

from ingest.importers.common import ImportFileError
from ingest.importers.irc_line import looks_like_irc, split_time_prefix
from ingest.importers.source_file import read_head

TWITCHDOWNLOADER = "twitchdownloader"
CHAT_DOWNLOADER = "chat_downloader"
IRC = "irc"
TEXT_LOG = "text_log"
FORMATS = (TWITCHDOWNLOADER, CHAT_DOWNLOADER, IRC, TEXT_LOG)

# Keys that every chat-downloader chat item carries at least two of.
_CHAT_DOWNLOADER_KEYS = frozenset(
    {"message", "message_id", "message_type", "timestamp", "time_in_seconds", "author"}
)
_TEXT_LOG_LINE = re.compile(r"\d{9,11} [^ :]+:(?: |$)")
_LINES_TO_SNIFF = 50


def detect_format(path: Path) -> str:
    """The format of the chat file at `path`, one of FORMATS; ImportFileError if none fits."""
    return sniff_format(path.name, read_head(path))


def sniff_format(name: str, head: bytes) -> str:
    """The format of a file whose first bytes (gunzipped, BOM removed) are `head`."""
    if not head.strip():
        raise ImportFileError(name, "is empty")
    if b"\x00" in head:
        raise ImportFileError(name, "is binary, not a chat file (it holds NUL bytes)")
    start = head.lstrip()[:1]
    if start == b"{":
        return _sniff_json_object(name, head)
    if start == b"[":
        return _sniff_json_array(name, head)
    return _sniff_lines(name, head)


def _sniff_json_object(name: str, head: bytes) -> str:
    first_line = head.lstrip().split(b"\n", 1)[0]
    try:
        item = orjson.loads(first_line)
    except orjson.JSONDecodeError:
        item = None
    if isinstance(item, dict) and len(_CHAT_DOWNLOADER_KEYS & item.keys()) >= 2:
        return CHAT_DOWNLOADER  # JSON Lines
    if b'"comments"' in head:
        return TWITCHDOWNLOADER
    raise ImportFileError(
        name, "is JSON but not a chat file (no TwitchDownloader 'comments' array and no "
        "chat-downloader message items)"
    )


def _sniff_json_array(name: str, head: bytes) -> str:
    body = head.lstrip()[1:].lstrip()
    if body[:1] == b"]":
        return CHAT_DOWNLOADER  # an empty chat-downloader file
    keys = set(re.findall(rb'"([a-z_]+)"\s*:', body[:8192]))
    if len(_CHAT_DOWNLOADER_KEYS & {key.decode() for key in keys}) >= 2:
        return CHAT_DOWNLOADER
    raise ImportFileError(name, "is a JSON array but not of chat-downloader message items")


def _sniff_lines(name: str, head: bytes) -> str:
    text = head.decode("utf-8", "replace")
    irc_lines = text_log_lines = 0
    seen = 0
    for line in text.split("\n")[:-1] or [text]:  # the last piece may be cut short
        line = line.rstrip("\r")
        if not line.strip():
            continue
        seen += 1
        if _TEXT_LOG_LINE.match(line):
            text_log_lines += 1
        elif looks_like_irc(split_time_prefix(line)[1]):
            irc_lines += 1
        if seen >= _LINES_TO_SNIFF:
            break
    if irc_lines == text_log_lines == 0:
        raise ImportFileError(
            name, "is not a chat file this importer knows (expected TwitchDownloader JSON, "
            "chat-downloader JSON/JSONL, an IRC log or a '<epoch> <login>: <text>' log)"
        )
    return IRC if irc_lines >= text_log_lines else TEXT_LOG
