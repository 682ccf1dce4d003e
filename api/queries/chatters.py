"""Active chatters over time: distinct chatters per bucket, and how many spoke first there."""

from api.lake import LakeReader
from api.params import Buckets
from api.queries.series import BUCKET_OF_MS, GRID, MESSAGES_OF_CHANNEL, columns, series_params

_SQL = f"""
with msgs as (
    select epoch_ms(timestamp) as ms, coalesce(user_id, user_name) as who
    from ({MESSAGES_OF_CHANNEL})
),
firsts as (select who, min(ms) as first_ms from msgs group by who),
active as (
    select {BUCKET_OF_MS.format(ms="ms")} as t, count(distinct who) as n from msgs group by 1
),
fresh as (
    select {BUCKET_OF_MS.format(ms="first_ms")} as t, count(*) as n from firsts group by 1
)
select grid.t, coalesce(active.n, 0), coalesce(fresh.n, 0), (select count(*) from firsts)
from {GRID}
left join active on active.t = grid.t
left join fresh on fresh.t = grid.t
order by grid.t
"""


async def active_chatters(
    lake: LakeReader, broadcaster_id: str, buckets: Buckets
) -> tuple[list[int], list[int], list[int], int]:
    """(t, active, new, distinct chatters in the whole range); `new` counts chatters whose
    first message inside the range falls in that bucket."""
    rows = await lake.fetch(_SQL, series_params(broadcaster_id, buckets))
    t, active, new, totals = columns(rows, 4)
    return t, active, new, (totals[0] if totals else 0)
