"""chat-downloader (xenova/chat-downloader) output: a JSON array of chat items (`--output x.json`)
or the same items one per line (JSON Lines).

A Twitch item looks like {"message_id", "message", "timestamp" (epoch MICROseconds),
"time_in_seconds" (VOD offset), "message_type", "author": {"id", "name", "display_name",
"badges": [{"name", "version"}]}, "emotes": [{"id", "locations": ["0-4"]}], ...}; live (IRC)
items add "action_type", "channel_id", "bits", "is_first_message", "in_reply_to". Emote
locations are Twitch's inclusive code-point ranges. Only chat becomes records: text messages,
and subscription or paid messages that carry the user's text; other items (bans, notices, room
states...) are skipped."""

from collections.abc import Iterator

import orjson

from ingest.importers.common import (
    MOD_BADGES,
    SUBSCRIBER_BADGES,
    BadLine,
    ImportFileError,
    ImportOptions,
    bad_line,
    channel_fallback,
    datetime_to_ms,
    dump_json,
    id_text,
    inclusive_ranges_to_emotes,
    parse_range_list,
    stable_message_id,
)
from ingest.importers.records import finish_record
from ingest.importers.source_file import describe_bytes, frozen_json, gc_paused, text_lines

SOURCE = "chat_downloader"
TEXT_TYPES = frozenset(
    {"text_message", "highlighted_message", "send_message_in_subscriber_only_mode",
     "paid_message"}
)
# Items that are chat only when the user typed something along with them.
TEXT_OPTIONAL_TYPES = frozenset(
    {"subscription", "resubscription", "extend_subscription", "prime_paid_upgrade",
     "gift_paid_upgrade", "anonymous_gift_paid_upgrade", "standard_pay_forward",
     "community_pay_forward", "membership_item", "paid_sticker", "user_notice"}
)


def read_chat_downloader(
    name: str, data: bytes, options: ImportOptions
) -> Iterator[dict | BadLine]:
    if data.lstrip()[:1] == b"[":
        with frozen_json(name, data) as array:
            items = [(f"[{index}]", item) for index, item in enumerate(array)]
            yield from _read_items(name, items, options)
    else:
        yield from _read_items(name, _json_lines(name, data), options)


def _read_items(name: str, items: list[tuple[str, dict | BadLine]], options: ImportOptions
                ) -> Iterator[dict | BadLine]:
    chat = [(where, item) for where, item in items
            if isinstance(item, BadLine) or _is_chat(item)]
    start_ms = datetime_to_ms(options.start) if options.start else None
    if start_ms is None and any(_lacks(item, "timestamp") for _, item in chat):
        raise ImportFileError(name, "has chat items without a timestamp; pass --start with the "
                              "time the video begins (UTC)")
    no_channel_option = options.channel is None and options.channel_id is None
    if no_channel_option and any(_lacks(item, "channel_id") for _, item in chat):
        raise ImportFileError(name, "does not name its channel (items without channel_id); "
                              "pass --channel")
    for where, item in chat:
        location = f"{name}:{where}"
        if isinstance(item, BadLine):
            yield item
            continue
        try:
            record = _record(item, name, where, options, start_ms)
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            yield bad_line(location, f"malformed item ({type(error).__name__}: {error})",
                           dump_json(item))
            continue
        if isinstance(record, str):
            yield bad_line(location, record, dump_json(item))
            continue
        result = finish_record(record, location, "")
        yield result if isinstance(result, dict) else bad_line(location, result.error,
                                                               dump_json(item))


def _json_lines(name: str, data: bytes) -> list[tuple[str, dict | BadLine]]:
    """(line number, item) pairs of a JSON Lines file; a line that is not JSON is a BadLine."""
    items = []
    with gc_paused():
        for number, line, undecodable in text_lines(data):
            where = str(number)
            if undecodable is not None:
                items.append((where, bad_line(f"{name}:{where}", "not valid UTF-8",
                                              describe_bytes(undecodable))))
            elif line.strip():
                try:
                    items.append((where, orjson.loads(line)))
                except orjson.JSONDecodeError as error:
                    items.append((where, bad_line(f"{name}:{where}", f"not JSON ({error})",
                                                  line)))
    return items


def _is_chat(item) -> bool:
    if not isinstance(item, dict):
        return True  # not an item at all: reported as bad
    message_type = item.get("message_type")
    action_type = item.get("action_type")
    if message_type in TEXT_TYPES or (message_type is None and "message" in item):
        return action_type in (None, "text_message", "user_notice")
    if message_type in TEXT_OPTIONAL_TYPES or action_type == "user_notice":
        return bool(item.get("message"))
    return False


def _lacks(item, key: str) -> bool:
    return isinstance(item, dict) and item.get(key) is None


def _record(item, name: str, where: str, options: ImportOptions,
            start_ms: int | None) -> dict | str:
    if not isinstance(item, dict):
        return "not a JSON object"
    text = item.get("message")
    if not isinstance(text, str):
        return "chat item without a text 'message'"
    is_action = text.endswith("\x01")  # chat-downloader strips "\x01ACTION " but not the end
    if is_action:
        text = text[:-1]
    offset = item.get("time_in_seconds")
    if offset is not None and not isinstance(offset, int | float):
        return f"time_in_seconds is not a number: {offset!r}"
    timestamp = item.get("timestamp")
    if timestamp is not None:
        timestamp = int(timestamp) // 1000  # microseconds
    elif offset is not None:
        timestamp = start_ms + round(offset * 1000)
    else:
        timestamp = start_ms
    author = item.get("author") or {}
    badges = [{"set_id": badge["name"], "version": id_text(badge.get("version"))}
              for badge in author.get("badges") or ()]
    is_subscriber = author.get("is_subscriber") is True
    is_mod = author.get("is_moderator") is True
    for badge in badges:
        is_subscriber = is_subscriber or badge["set_id"] in SUBSCRIBER_BADGES
        is_mod = is_mod or badge["set_id"] in MOD_BADGES
    channel_id = id_text(item.get("channel_id"))
    if channel_id is None:
        broadcaster_id, login = channel_fallback(options, None)
    else:  # --channel names this channel unless --channel-id says it is another one
        broadcaster_id = channel_id
        login = options.channel if options.channel_id in (None, channel_id) else None
    reply_to = item.get("in_reply_to") or {}
    first = item.get("is_first_message")
    return {
        "v": 1,
        "message_id": id_text(item.get("message_id"))
        or stable_message_id(name, where, dump_json(item)),
        "broadcaster_id": broadcaster_id,
        "broadcaster_login": login,
        "timestamp": timestamp,
        "text": text,
        "user_id": id_text(author.get("id")),
        "user_name": author.get("name"),
        "user_display_name": author.get("display_name"),
        "source": SOURCE,
        "is_vod_comment": False,
        "vod_id": None,
        "vod_offset_s": None if offset is None else float(offset),
        "is_first_message": first if isinstance(first, bool) else None,
        "is_action": is_action,
        "bits": item.get("bits") or 0,
        "reply_parent_message_id": id_text(reply_to.get("message_id")),
        "source_broadcaster_id": None,
        "metadata": {
            "emotes": _emotes(item.get("emotes"), len(text)),
            "badges": badges,
            "is_subscriber": is_subscriber,
            "is_mod": is_mod,
            "color": item.get("colour") or author.get("colour") or None,
        },
    }


def _emotes(emotes, text_length: int) -> list[dict]:
    if not emotes:
        return []
    ranges: list[tuple[str, int, int]] = []
    for emote in emotes:
        locations = emote.get("locations")
        if isinstance(locations, list):
            locations = ",".join(str(location) for location in locations)
        if emote.get("id") is not None and isinstance(locations, str):
            parse_range_list(str(emote["id"]), locations, ranges)
    return inclusive_ranges_to_emotes(ranges, text_length)
