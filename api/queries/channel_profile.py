"""A channel's profile from the published marts: when its chat is busy (weekday by hour of day)
and its streams' participation. Marts only: these summarise whole streams and weeks, which the
seconds after the build cannot change much, and the answer says which build it is from."""

import duckdb

from api.marts import ServedBuild, ServedMarts
from api.queries.live_chat import Freshness, freshness

HEATMAP_SQL = """
    select isodow(hour_start_at) - 1 as weekday, hour(hour_start_at) as hour,
           sum(messages)::bigint as messages, count(*)::bigint as hours
    from {catalog}.marts.channel_hourly_rollups
    where broadcaster_id = $broadcaster_id
    group by all
"""
STREAM_COLUMNS = (
    "stream_id", "stream_number", "source", "started_at", "ended_at", "duration_s", "messages",
    "active_chatters", "new_chatters", "returning_chatters", "regulars",
    "p50_messages_per_chatter", "p90_messages_per_chatter", "max_messages_per_chatter",
    "top_1_percent_share", "top_10_percent_share", "chatters_in_next_stream",
)
STREAMS_SQL = """
    select {columns} from {catalog}.marts.stream_participation
    where broadcaster_id = $broadcaster_id
    order by stream_number desc
    limit $limit
"""

HourGrid = list[list[int]]  # [weekday 0 = Monday][UTC hour]


async def chat_heatmap(marts: ServedMarts,
                       broadcaster_id: str) -> tuple[HourGrid, HourGrid, Freshness]:
    """(messages, hours with chat) per UTC weekday and hour of day, and the build's freshness."""

    def work(cursor: duckdb.DuckDBPyConnection, served: ServedBuild | None):
        messages = [[0] * 24 for _ in range(7)]
        hours = [[0] * 24 for _ in range(7)]
        if served is not None:
            rows = cursor.execute(HEATMAP_SQL.format(catalog=served.catalog),
                                  {"broadcaster_id": broadcaster_id}).fetchall()
            for weekday, hour, count, observed in rows:
                messages[weekday][hour], hours[weekday][hour] = count, observed
        return messages, hours, freshness(served)

    return await marts.run(work)


async def stream_participation(marts: ServedMarts, broadcaster_id: str,
                               limit: int) -> tuple[list[dict], Freshness]:
    """The channel's latest `limit` streams, newest first, with their participation figures."""

    def work(cursor: duckdb.DuckDBPyConnection, served: ServedBuild | None):
        if served is None:
            return [], freshness(served)
        sql = STREAMS_SQL.format(columns=", ".join(STREAM_COLUMNS), catalog=served.catalog)
        rows = cursor.execute(sql, {"broadcaster_id": broadcaster_id, "limit": limit}).fetchall()
        return [dict(zip(STREAM_COLUMNS, row, strict=True)) for row in rows], freshness(served)

    return await marts.run(work)
