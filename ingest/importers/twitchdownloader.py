"""TwitchDownloader chat JSON ("ChatRoot"): one object whose `comments` are v5-style comments.

Time: a comment's `created_at`, else `video.created_at` + its offset, else --start + its offset.
Channel: `streamer`, else the comment's `channel_id`, else --channel. Comments posted on the VOD
after the broadcast (`source == "comment"`) are kept and flagged `is_vod_comment`."""

from collections.abc import Iterator

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
    iso_to_ms,
)
from ingest.importers.records import record_problem
from ingest.importers.source_file import frozen_json

SOURCE = "twitchdownloader"


def read_twitchdownloader(
    name: str, data: bytes, options: ImportOptions
) -> Iterator[dict | BadLine]:
    with frozen_json(name, data) as root:
        yield from _read_root(name, root, options)


def _read_root(name: str, root, options: ImportOptions) -> Iterator[dict | BadLine]:
    comments = root.get("comments") if isinstance(root, dict) else None
    if not isinstance(comments, list):
        raise ImportFileError(name, "is JSON but has no TwitchDownloader 'comments' array")
    video = root.get("video") if isinstance(root.get("video"), dict) else {}
    streamer = root.get("streamer") if isinstance(root.get("streamer"), dict) else {}
    file_channel_id = id_text(streamer.get("id"))
    file_login = id_text(streamer.get("login"))
    vod_id = id_text(video.get("id"))
    video_start_ms = _video_start_ms(name, video, comments, options)
    if file_channel_id is None:
        fallback_id, file_login = channel_fallback(options, file_login)
        if fallback_id is None and _any_without(comments, "channel_id"):
            raise ImportFileError(name, "does not name its channel (no streamer, comments "
                                  "without channel_id); pass --channel")
    else:
        fallback_id = file_channel_id
        file_login = file_login or options.channel

    for index, comment in enumerate(comments):
        try:
            record = _record(comment, fallback_id, file_login, vod_id, video_start_ms)
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            yield bad_line(f"{name}:comments[{index}]",
                           f"malformed comment ({type(error).__name__}: {error})",
                           dump_json(comment))
            continue
        if isinstance(record, str):
            yield bad_line(f"{name}:comments[{index}]", record, dump_json(comment))
            continue
        problem = record_problem(record)
        if problem is None:
            yield record
        else:  # the location and the raw comment are made only for a bad one (72k a VOD)
            yield bad_line(f"{name}:comments[{index}]", problem, dump_json(comment))


def _video_start_ms(name: str, video: dict, comments: list, options: ImportOptions) -> int | None:
    """When the video began, if any comment needs it for its time; ImportFileError if unknown."""
    created_at = video.get("created_at")
    if isinstance(created_at, str):
        try:
            return iso_to_ms(created_at)
        except ValueError:
            raise ImportFileError(name, f"has an invalid video.created_at {created_at!r}") from None
    if options.start is not None:
        return datetime_to_ms(options.start)
    if _any_without(comments, "created_at"):
        raise ImportFileError(name, "has comments without a wall-clock time (created_at and "
                              "video.created_at are null); pass --start with the time the "
                              "video begins (UTC)")
    return None


def _any_without(comments: list, key: str) -> bool:
    return any(isinstance(c, dict) and c.get(key) is None for c in comments)


def _record(comment: dict, fallback_id: str | None, login: str | None, vod_id: str | None,
            video_start_ms: int | None) -> dict | str:
    message = comment["message"]
    text = message["body"]
    if not isinstance(text, str):
        return "message.body is not a string"
    offset = comment.get("content_offset_seconds")
    if offset is not None and (isinstance(offset, bool) or not isinstance(offset, int | float)):
        return f"content_offset_seconds is not a number: {offset!r}"
    created_at = comment.get("created_at")
    if created_at is not None:
        timestamp = iso_to_ms(created_at)
    elif video_start_ms is not None and offset is not None:
        timestamp = video_start_ms + round(offset * 1000)
    else:
        return "comment has neither created_at nor content_offset_seconds"
    commenter = comment.get("commenter") or {}
    badges = [
        {"set_id": badge["_id"], "version": id_text(badge.get("version"))}
        for badge in message.get("user_badges") or ()
    ]
    is_subscriber = is_mod = False
    for badge in badges:
        if badge["set_id"] in SUBSCRIBER_BADGES:
            is_subscriber = True
        elif badge["set_id"] in MOD_BADGES:
            is_mod = True
    # Ids are strings in most files: id_text is called only for the others.
    message_id, user_id = comment["_id"], commenter.get("_id")
    return {
        "v": 1,
        "message_id": message_id if type(message_id) is str else id_text(message_id),
        "broadcaster_id": fallback_id or id_text(comment.get("channel_id")),
        "broadcaster_login": login,
        "timestamp": timestamp,
        "text": text,
        "user_id": user_id if type(user_id) is str else id_text(user_id),
        "user_name": commenter.get("name"),
        "user_display_name": commenter.get("display_name"),
        "source": SOURCE,
        "is_vod_comment": comment.get("source") == "comment",
        "vod_id": vod_id or id_text(comment.get("content_id")),
        "vod_offset_s": None if offset is None else float(offset),
        "is_first_message": None,
        "is_action": message.get("is_action") is True,
        "bits": message.get("bits_spent") or 0,
        "reply_parent_message_id": None,
        "source_broadcaster_id": None,
        "metadata": {
            "emotes": _emotes(message, text),
            "badges": badges,
            "is_subscriber": is_subscriber,
            "is_mod": is_mod,
            "color": message.get("user_color") or None,
        },
    }


def _emotes(message: dict, text: str) -> list[dict]:
    """Emote positions from the fragments when they spell out the body (then they are exact),
    else from `emoticons` (inclusive ends)."""
    fragments = message.get("fragments")
    if fragments:
        emotes = []
        position = 0
        for fragment in fragments:
            piece = fragment.get("text") or ""
            emoticon = fragment.get("emoticon")
            if emoticon and emoticon.get("emoticon_id") and piece:
                emotes.append({"emote_id": str(emoticon["emoticon_id"]), "begin": position,
                               "end": position + len(piece)})
            position += len(piece)
        if position == len(text):
            return emotes
    emoticons = message.get("emoticons")
    if not emoticons:
        return []
    ranges = [(str(e["_id"]), e["begin"], e["end"]) for e in emoticons
              if isinstance(e.get("begin"), int) and isinstance(e.get("end"), int)]
    return inclusive_ranges_to_emotes(ranges, len(text))
