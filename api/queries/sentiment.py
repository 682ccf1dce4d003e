"""A channel's chat sentiment per bucket (1 min or 1 h), zero-filled, from the marts'
`channel_sentiment`. Served as of the published build: scoring needs the scorer's DuckDB
function, which only the marts build registers, so the newest chat after the build shows up
with the next build (`freshness` says how far the build reaches)."""

from typing import Any

import duckdb

from api.marts import ServedBuild, ServedMarts
from api.params import Buckets
from api.queries.live_chat import GRID, Freshness, bound, bucket_size, columns, freshness

_FROM_MARTS = """
with buckets as (
    select epoch(bucket_start_at)::bigint as t, messages, positive_messages, neutral_messages,
           negative_messages, mean_sentiment_score, net_sentiment
    from {catalog}.marts.channel_sentiment
    where broadcaster_id = $broadcaster_id and bucket_size = $bucket_size
      and bucket_start_at >= $start_at and bucket_start_at < $end_at
)
select grid.t, coalesce(messages, 0), coalesce(positive_messages, 0),
       coalesce(neutral_messages, 0), coalesce(negative_messages, 0),
       mean_sentiment_score, net_sentiment
from {grid} left join buckets on buckets.t = grid.t
order by grid.t
"""

# No build yet: the grid with nothing in it.
_EMPTY = f"select t, 0, 0, 0, 0, null::double, null::double from {GRID} order by t"

SENTIMENT_COLUMNS = ("t", "messages", "positive", "neutral", "negative", "mean_score", "net")


def sentiment_sql(served: ServedBuild | None) -> str:
    if served is None:
        return _EMPTY
    return _FROM_MARTS.format(catalog=served.catalog, grid=GRID)


async def channel_sentiment(
    marts: ServedMarts, broadcaster_id: str, buckets: Buckets
) -> tuple[dict[str, list[Any]], Freshness]:
    """The series as columns named by SENTIMENT_COLUMNS, and the build they come from."""

    def work(cursor: duckdb.DuckDBPyConnection, served: ServedBuild | None):
        sql = sentiment_sql(served)
        start_at = buckets.start.replace(tzinfo=None)
        end_at = buckets.end.replace(tzinfo=None)
        params = {"broadcaster_id": broadcaster_id, "bucket_size": bucket_size(buckets),
                  "start_at": start_at, "end_at": end_at, "start_s": buckets.start_s,
                  "end_s": buckets.end_s, "step_s": buckets.step_s}
        return cursor.execute(sql, bound(sql, params)).fetchall(), freshness(served)

    rows, fresh = await marts.run(work)
    return dict(zip(SENTIMENT_COLUMNS, columns(rows, len(SENTIMENT_COLUMNS)), strict=True)), fresh
