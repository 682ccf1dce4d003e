"""Emote usage in a channel's chat.

Twitch emotes come with code-point positions (`emotes` list, end exclusive), so their names are
cut from the text. Third-party emotes (7TV, BTTV, FFZ) are plain words: a word counts when it
names an emote of the channel's set and the message was sent while that emote was in the set
(`channel_emotes` in PostgreSQL, handed to DuckDB as an Arrow table per query). A word that is
a Twitch emote at that position is counted as Twitch only.
"""

import time
from typing import Any

import duckdb
import pyarrow as pa
from psycopg import AsyncConnection

from api.lake import LakeReader
from api.params import Buckets
from api.queries.series import BUCKET_OF_MS, GRID, MESSAGES_OF_CHANNEL, columns, series_params

EMOTE_SET_SCHEMA = pa.schema([
    ("provider", pa.string()),
    ("emote_id", pa.string()),
    ("name", pa.string()),
    ("valid_from", pa.timestamp("us", tz="UTC")),
    ("valid_to", pa.timestamp("us", tz="UTC")),
])
EMOTE_SET_CACHE_SECONDS = 30.0

_TWITCH_USES = """
    select timestamp, substring(text, e.begin + 1, e."end" - e.begin) as name,
           'twitch' as source, e.emote_id as emote_id
    from (select timestamp, text, unnest(emotes) as e from msgs)
    where e."end" > e.begin
"""
# A word at a Twitch emote's position is that Twitch emote, even when a third-party emote of
# the same name exists (forsenParty is both): it is counted once, as Twitch.
_THIRD_PARTY_USES = """
    select w.timestamp, w.word as name, s.provider as source, s.emote_id as emote_id
    from (
        select timestamp, unnest(string_split(text, ' ')) as word,
               list_transform(emotes, lambda e: substring(text, e.begin + 1, e."end" - e.begin))
                   as twitch_names
        from msgs
    ) as w
    join emote_set as s
      on w.word = s.name and w.timestamp >= s.valid_from
     and (s.valid_to is null or w.timestamp < s.valid_to)
    where not list_contains(w.twitch_names, w.word)
"""

_TOP_SQL = f"""
with msgs as ({MESSAGES_OF_CHANNEL}),
uses as ({_TWITCH_USES} union all {_THIRD_PARTY_USES})
select name, source, any_value(emote_id), count(*) as uses
from uses group by name, source
order by uses desc, name limit $limit
"""

_USAGE_SQL = f"""
with msgs as ({MESSAGES_OF_CHANNEL} and contains(text, $emote)),
uses as ({_TWITCH_USES} union all {_THIRD_PARTY_USES}),
counts as (
    select {BUCKET_OF_MS.format(ms="epoch_ms(timestamp)")} as t, count(*) as n
    from uses where name = $emote group by 1
)
select grid.t, coalesce(counts.n, 0) from {GRID} left join counts on counts.t = grid.t
order by grid.t
"""


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


def _with_emote_set(sql: str, params: dict[str, Any], emote_set: pa.Table):
    def work(cursor: duckdb.DuckDBPyConnection) -> list[tuple]:
        cursor.register("emote_set", emote_set)
        return cursor.execute(sql, params).fetchall()

    return work


async def top_emotes(
    lake: LakeReader, broadcaster_id: str, buckets: Buckets, emote_set: pa.Table, limit: int
) -> list[tuple[str, str, str | None, int]]:
    params = {**series_params(broadcaster_id, buckets), "limit": limit}
    del params["step_s"]
    return await lake.run(_with_emote_set(_TOP_SQL, params, emote_set))


async def emote_usage(
    lake: LakeReader, broadcaster_id: str, buckets: Buckets, emote_set: pa.Table, emote: str
) -> tuple[list[int], list[int]]:
    params = {**series_params(broadcaster_id, buckets), "emote": emote}
    rows = await lake.run(_with_emote_set(_USAGE_SQL, params, emote_set))
    t, uses = columns(rows, 2)
    return t, uses
