"""Emote usage in a channel's chat.

Twitch emotes come with code-point positions (`emotes` list, end exclusive), so their names are
cut from the text. Third-party emotes (7TV, BTTV, FFZ) are plain words: a word counts when it
names an emote of the channel's set and the message was sent while that emote was in the set
(`channel_emotes` in PostgreSQL, handed to DuckDB as an Arrow table per query). A word that is
a Twitch emote at that position is counted as Twitch only.
"""

import time
from collections.abc import Callable
from typing import Any

import duckdb
import pyarrow as pa
from psycopg import AsyncConnection

from api.marts import ServedBuild, ServedMarts
from api.params import Buckets
from api.queries.live_chat import (
    BUCKET_OF,
    GRID,
    LAKE_RECENT,
    Freshness,
    bound,
    bucket_size,
    columns,
    freshness,
    window_params,
)

EMOTE_SET_SCHEMA = pa.schema([
    ("provider", pa.string()),
    ("emote_id", pa.string()),
    ("name", pa.string()),
    ("valid_from", pa.timestamp("us", tz="UTC")),
    ("valid_to", pa.timestamp("us", tz="UTC")),
])
EMOTE_SET_CACHE_SECONDS = 30.0

# Uses in the lake's newest rows (`msgs`: after the build), by the marts' rules.
_TWITCH_USES = """
    select sent_at, substring(text, e.begin + 1, e."end" - e.begin) as name,
           'twitch' as source, e.emote_id as emote_id
    from (select sent_at, text, unnest(emotes) as e from msgs)
    where e.begin >= 0 and e."end" > e.begin and e."end" <= length(text)
"""
# A word at a Twitch emote's position is that Twitch emote, even when a third-party emote of
# the same name exists (forsenParty is both): it is counted once, as Twitch.
_THIRD_PARTY_USES = """
    select w.sent_at, w.word as name, s.provider as source, s.emote_id as emote_id
    from (
        select sent_at, unnest(string_split(text, ' ')) as word,
               list_transform(emotes, lambda e: substring(text, e.begin + 1, e."end" - e.begin))
                   as twitch_names
        from msgs
    ) as w
    join emote_set as s
      on w.word = s.name and w.sent_at >= timezone('UTC', s.valid_from)
     and (s.valid_to is null or w.sent_at < timezone('UTC', s.valid_to))
    where not list_contains(w.twitch_names, w.word)
"""
# Uses the build holds from the cut on (the bucket of its newest message).
_MARTS_RECENT_USES = """
    select sent_at, emote_text as name, emote_provider as source, emote_id
    from {catalog}.intermediate.int_emote_uses_unioned
    where broadcaster_id = $broadcaster_id and sent_on between $cut_day and $last_day
      and sent_at >= $cut_at and sent_at < $end_at
    union all
"""
# Whole buckets before the cut, as the marts' emote_usage holds them.
_MARTS_BUCKETS = """
    select epoch(bucket_start_at)::bigint as t, emote_name as name, emote_provider as source,
           emote_id, uses
    from {catalog}.marts.emote_usage
    where broadcaster_id = $broadcaster_id and bucket_size = $bucket_size
      and bucket_start_at >= $start_at and bucket_start_at < $cut_at
    union all
"""

_USES = """
with msgs as (select * from ({lake_recent}) {emote_filter}),
uses as (
    {marts_recent_uses}
    select * from ({twitch_uses} union all {third_party_uses})
),
counted as (
    {marts_buckets}
    select {bucket} as t, name, source, emote_id, count(*) as uses from uses group by all
)
"""

_TOP_SQL = _USES + """
select name, source, any_value(emote_id), sum(uses)::bigint as uses
from counted group by name, source
order by uses desc, name limit $limit
"""

_USAGE_SQL = _USES + """,
per_bucket as (select t, sum(uses) as n from counted where name = $emote group by t)
select grid.t, coalesce(per_bucket.n, 0)::bigint
from {grid} left join per_bucket on per_bucket.t = grid.t
order by grid.t
"""


def _sql(template: str, served: ServedBuild | None, emote_filter: str = "") -> str:
    catalog = served.catalog if served is not None else None
    return template.format(
        lake_recent=LAKE_RECENT, emote_filter=emote_filter,
        marts_recent_uses=_MARTS_RECENT_USES.format(catalog=catalog) if catalog else "",
        marts_buckets=_MARTS_BUCKETS.format(catalog=catalog) if catalog else "",
        twitch_uses=_TWITCH_USES, third_party_uses=_THIRD_PARTY_USES,
        bucket=BUCKET_OF.format(at="sent_at"), grid=GRID)


class EmoteSetCache:
    """Each channel's third-party emotes from PostgreSQL, kept for a short while."""

    def __init__(self) -> None:
        self._sets: dict[str, tuple[float, pa.Table]] = {}

    async def get(self, conn_factory: Any, broadcaster_id: str) -> pa.Table:
        cached = self._sets.get(broadcaster_id)
        if cached is not None and time.monotonic() - cached[0] < EMOTE_SET_CACHE_SECONDS:
            return cached[1]
        async with conn_factory() as conn:
            table = await _fetch_emote_set(conn, broadcaster_id)
        self._sets[broadcaster_id] = (time.monotonic(), table)
        return table


async def _fetch_emote_set(conn: AsyncConnection, broadcaster_id: str) -> pa.Table:
    cursor = await conn.execute(
        "select provider, emote_id, emote_name, valid_from, valid_to from channel_emotes"
        " where broadcaster_id = %s",
        [broadcaster_id],
    )
    rows = await cursor.fetchall()
    return pa.Table.from_pylist(
        [dict(zip(EMOTE_SET_SCHEMA.names, row, strict=True)) for row in rows],
        schema=EMOTE_SET_SCHEMA,
    )


async def _run(marts: ServedMarts, sql_of: Callable[[ServedBuild | None], str],
               params_of: Callable[[ServedBuild | None], dict[str, Any]],
               emote_set: pa.Table) -> tuple[list[tuple], Freshness]:
    def work(cursor: duckdb.DuckDBPyConnection, served: ServedBuild | None):
        cursor.register("emote_set", emote_set)
        sql = sql_of(served)
        return cursor.execute(sql, bound(sql, params_of(served))).fetchall(), freshness(served)

    return await marts.run(work)


async def top_emotes(
    marts: ServedMarts, broadcaster_id: str, buckets: Buckets, emote_set: pa.Table, limit: int
) -> tuple[list[tuple[str, str, str | None, int]], Freshness]:
    """The most used emotes of [start, end) (buckets of an hour), and what they came from."""
    return await _run(
        marts, lambda served: _sql(_TOP_SQL, served),
        lambda served: {**window_params(broadcaster_id, buckets, served),
                        "bucket_size": bucket_size(buckets), "limit": limit},
        emote_set)


async def emote_usage(
    marts: ServedMarts, broadcaster_id: str, buckets: Buckets, emote_set: pa.Table, emote: str
) -> tuple[list[int], list[int], Freshness]:
    rows, fresh = await _run(
        marts, lambda served: _sql(_USAGE_SQL, served, "where contains(text, $emote)"),
        lambda served: {**window_params(broadcaster_id, buckets, served),
                        "bucket_size": bucket_size(buckets), "emote": emote},
        emote_set)
    t, uses = columns(rows, 2)
    return t, uses, fresh
