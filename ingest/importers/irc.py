"""Raw IRC logs: IRCv3-tagged lines (tmi-sent-ts, emotes, ids) or plain lines with a logger's
time prefix. Only chat becomes records: PRIVMSG, and USERNOTICE (sub, resub, announcement...)
when it carries the user's text. Everything else IRC is skipped; non-IRC lines are BadLines."""

from collections.abc import Iterator

from ingest.importers.common import (
    BadLine,
    ImportFileError,
    ImportOptions,
    bad_line,
    badge_flags,
    channel_fallback,
    datetime_to_ms,
    inclusive_ranges_to_emotes,
    parse_range_list,
    stable_message_id,
)
from ingest.importers.irc_line import (
    IrcLine,
    parse_badges,
    parse_irc,
    parse_tags,
    prefix_to_ms,
    split_time_prefix,
)
from ingest.importers.records import finish_record
from ingest.importers.source_file import describe_bytes, text_lines

SOURCE = "irc"
_CHAT_COMMANDS = frozenset({"PRIVMSG", "USERNOTICE"})
_ACTION_START = "\x01ACTION "


def read_irc(name: str, data: bytes, options: ImportOptions) -> Iterator[dict | BadLine]:
    start_ms = datetime_to_ms(options.start) if options.start else None
    prefix_ms = None  # the last time prefix seen: unprefixed lines inherit it
    made_records = False
    for number, line, undecodable in text_lines(data):
        if undecodable is not None:
            yield bad_line(f"{name}:{number}", "not valid UTF-8", describe_bytes(undecodable))
            continue
        if not line:
            continue
        prefix, rest = split_time_prefix(line)
        if prefix is not None:
            try:
                prefix_ms = prefix_to_ms(prefix)
            except ValueError:
                yield bad_line(f"{name}:{number}", f"invalid time prefix {prefix!r}", line)
                continue
        if not rest.strip():
            continue
        message = parse_irc(rest)
        if message is None:
            yield bad_line(f"{name}:{number}", "not an IRC line", line)
            continue
        if message.command not in _CHAT_COMMANDS:
            continue
        tags = parse_tags(message.tags) if message.tags else {}
        sent_ts = tags.get("tmi-sent-ts")
        if sent_ts and sent_ts.isdecimal():
            timestamp = int(sent_ts)
        elif prefix_ms is not None:
            timestamp = prefix_ms
        elif start_ms is not None:
            timestamp = start_ms
        elif made_records:
            yield bad_line(f"{name}:{number}",
                           "message has no time (no tmi-sent-ts tag, no time prefix)", line)
            continue
        else:
            raise ImportFileError(
                name, f"line {number} has no time (no tmi-sent-ts tag and no time prefix); "
                "pass --start with the time the log begins (UTC)"
            )
        record = _chat_record(message, tags, timestamp, name, number, line, options)
        if record is None:
            continue  # a USERNOTICE without the user's text is not chat
        if isinstance(record, str):
            yield bad_line(f"{name}:{number}", record, line)
        else:
            result = finish_record(record, f"{name}:{number}", line)
            made_records = made_records or isinstance(result, dict)
            yield result


def _chat_record(
    message: IrcLine, tags: dict[str, str], timestamp: int, name: str, number: int, line: str,
    options: ImportOptions,
) -> dict | str | None:
    """The record of a PRIVMSG/USERNOTICE, None for a text-less USERNOTICE, or an error text."""
    if not message.params or not message.params[0].startswith("#"):
        return f"{message.command} without a #channel"
    text = message.trailing
    if text is None and len(message.params) > 1:
        text = message.params[-1]  # a last parameter without ':' (no spaces in it)
    if text is None:
        return None if message.command == "USERNOTICE" else "PRIVMSG without text"
    is_action = text.startswith(_ACTION_START)
    if is_action:
        text = text[len(_ACTION_START):].removesuffix("\x01")
    login = message.params[0][1:].lower()
    room_id = tags.get("room-id")
    if room_id:
        broadcaster_id = room_id
    else:
        broadcaster_id, login = channel_fallback(options, login)
    badges = parse_badges(tags["badges"]) if tags.get("badges") else []
    is_subscriber, is_mod = badge_flags(badges)
    bits = tags.get("bits")
    first_msg = tags.get("first-msg")
    source = message.source or ""
    user_name = tags.get("login") or (source.split("!", 1)[0] if "!" in source else None)
    return {
        "v": 1,
        "message_id": tags.get("id") or stable_message_id(name, number, line),
        "broadcaster_id": broadcaster_id,
        "broadcaster_login": login,
        "timestamp": timestamp,
        "text": text,
        "user_id": tags.get("user-id") or None,
        "user_name": user_name,
        "user_display_name": tags.get("display-name") or None,
        "source": SOURCE,
        "is_vod_comment": False,
        "vod_id": None,
        "vod_offset_s": None,
        "is_first_message": None if first_msg is None else first_msg == "1",
        "is_action": is_action,
        "bits": int(bits) if bits and bits.isdecimal() else 0,
        "reply_parent_message_id": tags.get("reply-parent-msg-id") or None,
        "source_broadcaster_id": tags.get("source-room-id") or None,
        "metadata": {
            "emotes": _emotes(tags.get("emotes"), len(text)),
            "badges": badges,
            "is_subscriber": is_subscriber or tags.get("subscriber") == "1",
            "is_mod": is_mod or tags.get("mod") == "1",
            "color": tags.get("color") or None,
        },
    }


def _emotes(raw: str | None, text_length: int) -> list[dict]:
    """The `emotes` tag ("25:0-4,6-10/1902:12-16", inclusive code-point ranges) as emotes."""
    if not raw:
        return []
    ranges: list[tuple[str, int, int]] = []
    for group in raw.split("/"):
        emote_id, colon, locations = group.partition(":")
        if colon:
            parse_range_list(emote_id, locations, ranges)
    return inclusive_ranges_to_emotes(ranges, text_length)
