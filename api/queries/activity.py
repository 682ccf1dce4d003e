"""A channel's chat rate: messages and distinct chatters per bucket, zero-filled."""

from api.lake import LakeReader
from api.params import Buckets
from api.queries.series import BUCKET_OF_MS, GRID, MESSAGES_OF_CHANNEL, columns, series_params

_SQL = f"""
with msgs as ({MESSAGES_OF_CHANNEL}),
counts as (
    select {BUCKET_OF_MS.format(ms="epoch_ms(timestamp)")} as t, count(*) as messages,
           count(distinct coalesce(user_id, user_name)) as chatters
    from msgs group by 1
)
select grid.t, coalesce(counts.messages, 0), coalesce(counts.chatters, 0)
from {GRID} left join counts on counts.t = grid.t
order by grid.t
"""


async def chat_rate(
    lake: LakeReader, broadcaster_id: str, buckets: Buckets
) -> tuple[list[int], list[int], list[int]]:
    rows = await lake.fetch(_SQL, series_params(broadcaster_id, buckets))
    t, messages, chatters = columns(rows, 3)
    return t, messages, chatters
