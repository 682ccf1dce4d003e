"""Pages of clips: the cursor, the query, the page cache and the encoded body.

The cursor is the (sort key, id) of the last row of a page (its detection time, or its
strength when sorted by strength), opaque to clients: the next
page starts strictly after it (api/queries/clips.py), so rows inserted meanwhile never shift or
repeat a page. Pages are cached encoded for a second (api/cache.py): a repeat costs no query and
no encoding.
"""

import base64
import binascii
from datetime import UTC, datetime

import msgspec
from litestar.exceptions import NotFoundException

from api.params import bad_request
from api.queries.clip_chat import CONTEXT, MAX_MESSAGES, chat_around
from api.queries.clips import ClipQuery, clip_window, list_clips
from api.resources import Resources
from api.schemas import ChatLine, Clip, ClipChat, ClipPage


class BadCursorError(ValueError):
    """A cursor this API did not issue (or one that was edited)."""


def encode_cursor(key: datetime | float, clip_row_id: int) -> str:
    if isinstance(key, datetime):
        raw = f"{int(key.timestamp() * 1_000_000)}:{clip_row_id}"
    else:
        raw = f"s:{key!r}:{clip_row_id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str = "time") -> tuple[datetime | float, int]:
    """The (key, id) of `cursor`; a cursor of the other sort is not one for this query."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        parts = raw.split(":")
        if sort == "strength":
            marker, strength, row_id = parts
            if marker != "s":
                raise ValueError(raw)
            return float(strength), int(row_id)
        micros, row_id = (int(part) for part in parts)
        return datetime.fromtimestamp(micros / 1_000_000, UTC), row_id
    except (ValueError, binascii.Error, UnicodeDecodeError, OverflowError, OSError) as error:
        raise BadCursorError(cursor) from error


def sort_key(clip: Clip, sort: str) -> datetime | float:
    if sort == "strength":
        return clip.strength if clip.strength is not None else float("-inf")
    return clip.detected_at


async def clip_page(
    resources: Resources,
    status: str,
    limit: int,
    start: datetime | None,
    end: datetime | None,
    cursor: str | None,
    channel: str | None,
    sort: str = "time",
) -> bytes:
    """The JSON of a ClipPage: up to `limit` clips after `cursor` (a 400 when it is not one of
    ours), of `channel` when given (a 404 when unknown), with the cursor of the next page."""
    after = None
    if cursor is not None:
        try:
            after = decode_cursor(cursor, sort)
        except BadCursorError:
            raise bad_request(
                "cursor: not a cursor this API issued for this sort; pass next_cursor "
                "unchanged, with the same sort"
            ) from None
    broadcaster_id = None
    if channel is not None:
        broadcaster_id = (await resources.channels.resolve(channel)).broadcaster_id
    # One row more than a page, to know whether another page follows.
    optouts = await resources.optouts.current()
    query = ClipQuery(status, limit + 1, start, end, broadcaster_id, after, sort,
                      tuple(sorted(optouts.channel_ids)), tuple(sorted(optouts.channel_logins)))
    body = resources.clip_pages.get(query)
    if body is not None:
        return body
    async with resources.pool.connection() as conn:
        clips = await list_clips(conn, query)
    next_cursor = None
    if len(clips) > limit:
        clips = clips[:limit]
        next_cursor = encode_cursor(sort_key(clips[-1], sort), clips[-1].id)
    body = msgspec.json.encode(ClipPage(clips=clips, next_cursor=next_cursor))
    resources.clip_pages.put(query, body)
    return body


async def clip_chat(resources: Resources, clip_row_id: int) -> ClipChat:
    """The chat around clip row `clip_row_id` (404 when there is no such clip)."""
    async with resources.pool.connection() as conn:
        window = await clip_window(conn, clip_row_id)
    if window is None:
        raise NotFoundException(f"no clip with id {clip_row_id}")
    broadcaster_id, window_start, window_end = window
    optouts = await resources.optouts.current()
    if optouts.drops_channel(broadcaster_id):
        raise NotFoundException(f"no clip with id {clip_row_id}")
    rows = await chat_around(resources.lake, broadcaster_id, window_start, window_end)
    if optouts:
        rows = [row for row in rows if (row[1] or "").lower() not in optouts.user_logins
                and row[4] not in optouts.user_ids]
    return ClipChat(
        id=clip_row_id, broadcaster_id=broadcaster_id,
        start=window_start - CONTEXT, end=window_end + CONTEXT,
        messages=[ChatLine(sent_at.replace(tzinfo=UTC), login, display, text)
                  for sent_at, login, display, text, _ in rows],
        truncated=len(rows) == MAX_MESSAGES)
