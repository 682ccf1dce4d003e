"""A channel's chat rate: live messages and distinct chatters per bucket, zero-filled; whole
buckets from the marts' `channel_activity`, the newest ones counted (api/queries/live_chat.py)."""

import duckdb

from api.marts import ServedBuild, ServedMarts
from api.params import Buckets
from api.queries.live_chat import (
    BUCKET_OF,
    GRID,
    Freshness,
    bound,
    bucket_size,
    columns,
    freshness,
    recent_messages,
    window_params,
)

_FROM_MARTS = """
    select epoch(bucket_start_at)::bigint as t, messages, chatters
    from {catalog}.marts.channel_activity
    where broadcaster_id = $broadcaster_id and bucket_size = $bucket_size
      and bucket_start_at >= $start_at and bucket_start_at < $cut_at
"""

_SQL = """
with recent as ({recent}),
counts as (
    {from_marts}
    select {bucket} as t, count(*) as messages, count(distinct chatter_id) as chatters
    from recent group by 1
)
select grid.t, coalesce(counts.messages, 0), coalesce(counts.chatters, 0)
from {grid} left join counts on counts.t = grid.t
order by grid.t
"""


def chat_rate_sql(served: ServedBuild | None) -> str:
    from_marts = "" if served is None else (
        _FROM_MARTS.format(catalog=served.catalog) + " union all ")
    return _SQL.format(recent=recent_messages(served), from_marts=from_marts,
                       bucket=BUCKET_OF.format(at="sent_at"), grid=GRID)


async def chat_rate(
    marts: ServedMarts, broadcaster_id: str, buckets: Buckets
) -> tuple[list[int], list[int], list[int], Freshness]:
    def work(cursor: duckdb.DuckDBPyConnection, served: ServedBuild | None):
        sql = chat_rate_sql(served)
        params = {**window_params(broadcaster_id, buckets, served),
                  "bucket_size": bucket_size(buckets)}
        return cursor.execute(sql, bound(sql, params)).fetchall(), freshness(served)

    rows, fresh = await marts.run(work)
    t, messages, chatters = columns(rows, 3)
    return t, messages, chatters, fresh
