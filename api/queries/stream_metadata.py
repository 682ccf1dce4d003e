"""A channel's latest stream as the monitor (or an import) described it: PostgreSQL's
`streams` table (migration 0008)."""

from psycopg import AsyncConnection


async def latest_stream(conn: AsyncConnection, broadcaster_id: str) -> tuple | None:
    """(started_at, last_seen_at, game_name, title, language) of the newest stream, or None."""
    cursor = await conn.execute(
        "select started_at, last_seen_at, game_name, title, language from streams"
        " where broadcaster_id = %s order by started_at desc limit 1", [broadcaster_id])
    return await cursor.fetchone()
