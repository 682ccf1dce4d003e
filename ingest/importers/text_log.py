"""Plain text logs, one message a line: `<epoch_s> <login>: <text>` (the old rechat dumps).

They name neither channel nor message ids: the channel comes from --channel, ids are derived
from the file name, line number and line so that re-importing gives the same ids."""

import re
from collections.abc import Iterator

from ingest.importers.common import (
    BadLine,
    ImportFileError,
    ImportOptions,
    bad_line,
    channel_fallback,
    stable_message_id,
)
from ingest.importers.records import finish_record
from ingest.importers.source_file import describe_bytes, text_lines

SOURCE = "text_log"
# "VoD_108244967.txt" names the Twitch VOD the chat belongs to.
_VOD_IN_NAME = re.compile(r"vod_(\d+)", re.IGNORECASE)


def read_text_log(name: str, data: bytes, options: ImportOptions) -> Iterator[dict | BadLine]:
    if options.channel is None:
        raise ImportFileError(name, "is a text log, which does not name its channel; "
                              "pass --channel")
    broadcaster_id, login = channel_fallback(options, None)
    vod_match = _VOD_IN_NAME.search(name)
    vod_id = vod_match.group(1) if vod_match else None
    for number, line, undecodable in text_lines(data):
        if undecodable is not None:
            yield bad_line(f"{name}:{number}", "not valid UTF-8", describe_bytes(undecodable))
            continue
        if not line:
            continue
        space = line.find(" ")
        epoch = line[:space]
        separator = line.find(": ", space + 1)
        if separator < 0 and line.endswith(":"):
            separator = len(line) - 1  # an empty message whose trailing space was trimmed
        user = line[space + 1:separator]
        if space < 1 or not epoch.isdecimal() or separator < 0 or not user or " " in user:
            yield bad_line(f"{name}:{number}", "not an '<epoch_s> <login>: <text>' line", line)
            continue
        record = {
            "v": 1,
            "message_id": stable_message_id(name, number, line),
            "broadcaster_id": broadcaster_id,
            "broadcaster_login": login,
            "timestamp": int(epoch) * 1000,
            "text": line[separator + 2:],
            "user_id": None,
            "user_name": user.lower(),
            "user_display_name": user,
            "source": SOURCE,
            "is_vod_comment": False,
            "vod_id": vod_id,
            "vod_offset_s": None,
            "is_first_message": None,
            "is_action": False,
            "bits": 0,
            "reply_parent_message_id": None,
            "source_broadcaster_id": None,
            "metadata": {"emotes": [], "badges": [], "is_subscriber": False, "is_mod": False,
                         "color": None},
        }
        yield finish_record(record, f"{name}:{number}", line)
