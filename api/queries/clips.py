"""Clips from PostgreSQL, newest first, paged by keyset.

A page after `after`, the (sort key, id) of the previous page's last row, starts strictly
after it in the same order, so rows inserted meanwhile never shift or repeat a page (offset
paging would). The index on (status, detected_at) serves the query. The cursor that carries
`after` to clients is api/services/clips.py's.
"""

from dataclasses import dataclass
from datetime import datetime

from psycopg import AsyncConnection
from psycopg.rows import class_row

from api.schemas import Clip

_COLUMNS_TEMPLATE = """
    c.id, c.clip_id, c.broadcaster_id, s.streamer_login as broadcaster_login, c.status,
    c.embed_url, c.thumbnail_url, c.title, c.detected_at, c.created_at, c.window_end,
    c.message_count, {strength} as strength
"""
# How far the window's message count stood above the channel's baseline, in standard
# deviations: the detector's own measure of a moment. Null without a baseline.
STRENGTH = "(c.message_count - c.baseline_mean) / nullif(c.baseline_std, 0)"
# The order of each sort, newest or strongest first; ties by id. Clips without a strength sort
# last, so the key is never null and the keyset comparison stays exact.
SORT_KEYS = {
    "time": "c.detected_at",
    "strength": f"coalesce({STRENGTH}, '-Infinity'::float8)",
}


_COLUMNS = _COLUMNS_TEMPLATE.format(strength=STRENGTH)


@dataclass(frozen=True)
class ClipQuery:
    status: str
    limit: int
    start: datetime | None = None
    end: datetime | None = None
    broadcaster_id: str | None = None
    after: tuple[datetime | float, int] | None = None
    sort: str = "time"
    # Opted-out channels, by id and by lower-case login: never listed.
    hidden_ids: tuple[str, ...] = ()
    hidden_logins: tuple[str, ...] = ()


async def list_clips(conn: AsyncConnection, query: ClipQuery) -> list[Clip]:
    """Up to `query.limit` clips; ask for one more than a page to know whether another follows."""
    where = ["c.status = %(status)s"]
    if query.start is not None:
        where.append("c.detected_at >= %(start)s")
    if query.end is not None:
        where.append("c.detected_at < %(end)s")
    if query.broadcaster_id is not None:
        where.append("c.broadcaster_id = %(broadcaster_id)s")
    if query.hidden_ids or query.hidden_logins:
        where.append("not (c.broadcaster_id = any(%(hidden_ids)s)"
                     " or coalesce(lower(s.streamer_login) = any(%(hidden_logins)s), false))")
    key = SORT_KEYS[query.sort]
    if query.after is not None:
        where.append(f"({key}, c.id) < (%(after_at)s, %(after_id)s)")
    sql = (
        f"select {_COLUMNS} from clips c left join streamers s using (broadcaster_id)"
        f" where {' and '.join(where)} order by {key} desc, c.id desc limit %(limit)s"
    )
    params = {
        "status": query.status,
        "start": query.start,
        "end": query.end,
        "broadcaster_id": query.broadcaster_id,
        "after_at": query.after[0] if query.after else None,
        "after_id": query.after[1] if query.after else None,
        "limit": query.limit,
        "hidden_ids": list(query.hidden_ids),
        "hidden_logins": list(query.hidden_logins),
    }
    async with conn.cursor(row_factory=class_row(Clip)) as cursor:
        await cursor.execute(sql, params)
        return await cursor.fetchall()


async def detections(
    conn: AsyncConnection, broadcaster_id: str, start: datetime, end: datetime
) -> list[tuple]:
    """Every detection of a channel in [start, end), whatever became of its clip."""
    cursor = await conn.execute(
        "select id, detected_at, window_end, message_count, status, clip_id from clips"
        " where broadcaster_id = %s and detected_at >= %s and detected_at < %s"
        " order by detected_at limit 5000",
        [broadcaster_id, start, end],
    )
    return await cursor.fetchall()


async def clip_window(conn: AsyncConnection,
                      clip_row_id: int) -> tuple[str, datetime, datetime] | None:
    """(broadcaster id, window start, window end) of a clip row; None when there is none."""
    cursor = await conn.execute(
        "select broadcaster_id, coalesce(window_start, window_end - interval '5 seconds'),"
        " window_end from clips where id = %s", [clip_row_id])
    return await cursor.fetchone()
