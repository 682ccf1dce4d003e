"""Pages of clips: the cursor, the query, the page cache and the encoded body.

The cursor is the (detected_at, id) of the last row of a page, opaque to clients: the next
page starts strictly after it (api/queries/clips.py), so rows inserted meanwhile never shift or
repeat a page. Pages are cached encoded for a second (api/cache.py): a repeat costs no query and
no encoding.
"""

import base64
import binascii
from datetime import UTC, datetime

import msgspec

from api.params import bad_request
from api.queries.clips import ClipQuery, list_clips
from api.resources import Resources
from api.schemas import ClipPage


class BadCursorError(ValueError):
    """A cursor this API did not issue (or one that was edited)."""


def encode_cursor(detected_at: datetime, clip_row_id: int) -> str:
    micros = int(detected_at.timestamp() * 1_000_000)
    return base64.urlsafe_b64encode(f"{micros}:{clip_row_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        micros, row_id = (int(part) for part in raw.split(":"))
        return datetime.fromtimestamp(micros / 1_000_000, UTC), row_id
    except (ValueError, binascii.Error, UnicodeDecodeError, OverflowError, OSError) as error:
        raise BadCursorError(cursor) from error


async def clip_page(
    resources: Resources,
    status: str,
    limit: int,
    start: datetime | None,
    end: datetime | None,
    cursor: str | None,
    channel: str | None,
) -> bytes:
    """The JSON of a ClipPage: up to `limit` clips after `cursor` (a 400 when it is not one of
    ours), of `channel` when given (a 404 when unknown), with the cursor of the next page."""
    after = None
    if cursor is not None:
        try:
            after = decode_cursor(cursor)
        except BadCursorError:
            raise bad_request(
                "cursor: not a cursor this API issued; pass next_cursor unchanged"
            ) from None
    broadcaster_id = None
    if channel is not None:
        broadcaster_id = (await resources.channels.resolve(channel)).broadcaster_id
    # One row more than a page, to know whether another page follows.
    query = ClipQuery(status, limit + 1, start, end, broadcaster_id, after)
    body = resources.clip_pages.get(query)
    if body is not None:
        return body
    async with resources.pool.connection() as conn:
        clips = await list_clips(conn, query)
    next_cursor = None
    if len(clips) > limit:
        clips = clips[:limit]
        next_cursor = encode_cursor(clips[-1].detected_at, clips[-1].id)
    body = msgspec.json.encode(ClipPage(clips=clips, next_cursor=next_cursor))
    resources.clip_pages.put(query, body)
    return body
