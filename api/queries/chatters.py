"""Active chatters over time: distinct chatters per bucket, and how many wrote their first
message in the channel there (the marts' new chatters: first ever, not first in the range)."""

import duckdb

from api.marts import ServedBuild, ServedMarts
from api.params import Buckets
from api.queries.live_chat import (
    BUCKET_OF,
    GRID,
    LAKE_AFTER_BUILD,
    Freshness,
    bound,
    columns,
    freshness,
    recent_messages,
    window_params,
)

_MARTS_BEFORE_CUT = """
    select sent_at, chatter_id from {catalog}.intermediate.int_chat_messages_deduplicated
    where broadcaster_id = $broadcaster_id and sent_at >= $start_at and sent_at < $cut_at
    union all
"""
_MARTS_FIRSTS = """
    select chatter_id, first_message_at as first_at
    from {catalog}.intermediate.int_channel_chatters_aggregated
    where broadcaster_id = $broadcaster_id
    union all
"""

_SQL = """
with recent as ({recent}),
in_range as ({marts_before_cut} select sent_at, chatter_id from recent),
firsts as (
    select chatter_id, min(first_at) as first_at from (
        {marts_firsts}
        select chatter_id, sent_at as first_at from ({lake_after_build})
    ) group by chatter_id
),
active as (
    select {bucket_sent} as t, count(distinct chatter_id) as n from in_range group by 1
),
fresh as (
    select {bucket_first} as t, count(*) as n from firsts
    where first_at >= $start_at and first_at < $end_at group by 1
)
select grid.t, coalesce(active.n, 0), coalesce(fresh.n, 0),
       (select count(distinct chatter_id) from in_range)
from {grid}
left join active on active.t = grid.t
left join fresh on fresh.t = grid.t
order by grid.t
"""


def active_chatters_sql(served: ServedBuild | None) -> str:
    catalog = served.catalog if served is not None else None
    return _SQL.format(
        recent=recent_messages(served),
        marts_before_cut=_MARTS_BEFORE_CUT.format(catalog=catalog) if catalog else "",
        marts_firsts=_MARTS_FIRSTS.format(catalog=catalog) if catalog else "",
        lake_after_build=LAKE_AFTER_BUILD,
        bucket_sent=BUCKET_OF.format(at="sent_at"),
        bucket_first=BUCKET_OF.format(at="first_at"),
        grid=GRID)


async def active_chatters(
    marts: ServedMarts, broadcaster_id: str, buckets: Buckets
) -> tuple[list[int], list[int], list[int], int, Freshness]:
    """(t, active, new, distinct chatters in the whole range, freshness)."""

    def work(cursor: duckdb.DuckDBPyConnection, served: ServedBuild | None):
        sql = active_chatters_sql(served)
        params = window_params(broadcaster_id, buckets, served)
        return cursor.execute(sql, bound(sql, params)).fetchall(), freshness(served)

    rows, fresh = await marts.run(work)
    t, active, new, totals = columns(rows, 4)
    return t, active, new, (totals[0] if totals else 0), fresh
