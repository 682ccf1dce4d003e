"""Chat file importers: past broadcasts' chat files as v1 `chat-messages` records.

    for item in read_chat_file(path, ImportOptions(channel="lirik")):
        if isinstance(item, BadLine): report(item)
        else: publish(item)          # a dict that passed validate_chat_message

Formats (see detect.py): TwitchDownloader JSON, chat-downloader JSON/JSONL, raw IRC logs,
`<epoch_s> <login>: <text>` text logs; gzip is undone by content at any name.

Whole-file problems (unreadable, empty, truncated gzip, not a chat file, channel or time unknown
and not given) raise ImportFileError from `read_chat_file` itself, before any item is produced:
the file is read and checked up front. Problems with single lines or items inside a good file
are yielded as BadLine, in file order with the records; no message is dropped silently.
"""

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

from ingest.importers.chat_downloader import read_chat_downloader
from ingest.importers.common import BadLine, ImportFileError, ImportOptions
from ingest.importers.detect import (
    CHAT_DOWNLOADER,
    FORMATS,
    IRC,
    TEXT_LOG,
    TWITCHDOWNLOADER,
    detect_format,
    sniff_format,
)
from ingest.importers.irc import read_irc
from ingest.importers.source_file import read_bytes
from ingest.importers.text_log import read_text_log
from ingest.importers.twitchdownloader import read_twitchdownloader

__all__ = [
    "FORMATS",
    "BadLine",
    "ImportFileError",
    "ImportOptions",
    "detect_format",
    "read_chat_file",
]

_READERS: dict[str, Callable[[str, bytes, ImportOptions], Iterator[dict | BadLine]]] = {
    TWITCHDOWNLOADER: read_twitchdownloader,
    CHAT_DOWNLOADER: read_chat_downloader,
    IRC: read_irc,
    TEXT_LOG: read_text_log,
}


NO_OPTIONS = ImportOptions()


def read_chat_file(
    path: Path, options: ImportOptions = NO_OPTIONS
) -> Iterator[dict | BadLine]:
    """Validated v1 chat records and BadLines of the chat file at `path`, in file order.

    Raises ImportFileError (one line, starting with the file name) when the whole file cannot
    be imported; this happens here, at the call, never part-way through the iteration.
    """
    path = Path(path)
    data = read_bytes(path)
    items = _READERS[sniff_format(path.name, data[:65536])](path.name, data, options)
    # Run the reader up to its first record so that its file-level checks raise now.
    ahead: list[dict | BadLine] = []
    for item in items:
        ahead.append(item)
        if isinstance(item, dict):
            break
    return itertools.chain(ahead, items)
