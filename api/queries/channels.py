"""What is known about each channel: its chat in the lake, its row and clips in PostgreSQL.

A channel's message count is its live chat counted once, as the marts count it (`channels.
live_messages` of the published build, plus the lake's newer live messages under the same
rules); its first and last message span everything the lake holds for it, VOD comments too.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from psycopg import AsyncConnection

from api.marts import ServedBuild, ServedMarts
from api.queries.live_chat import through_us


@dataclass(frozen=True)
class LakeChannel:
    broadcaster_id: str
    login: str | None
    message_count: int
    first_message_at: datetime
    last_message_at: datetime


@dataclass(frozen=True)
class PostgresChannel:
    broadcaster_id: str
    login: str | None
    allows_clipping: bool | None
    completed_clips: int
    third_party_emotes: int


def _utc(epoch_ms: int) -> datetime:
    return datetime.fromtimestamp(epoch_ms / 1000, UTC)


_EXTENTS = """
    select broadcaster_id, max(broadcaster_login) as login,
           epoch_ms(min(timestamp)) as first_ms, epoch_ms(max(timestamp)) as last_ms
    from chat_messages group by broadcaster_id
"""
# Live messages after the build, once each (all of them without a build).
_LAKE_LIVE_COUNTS = """
    select broadcaster_id, count(distinct message_id) as messages from chat_messages
    where not coalesce(is_vod_comment, false) and epoch_us(timestamp) > $through_us
    group by broadcaster_id
"""
_MARTS_COUNTS = """
    select broadcaster_id, live_messages as messages from {catalog}.marts.channels
    union all
"""
_SQL = """
with counts as ({marts_counts} {lake_counts}),
totals as (select broadcaster_id, sum(messages)::bigint as messages from counts group by 1)
select e.broadcaster_id, e.login, coalesce(t.messages, 0), e.first_ms, e.last_ms
from ({extents}) as e left join totals as t using (broadcaster_id)
"""


def lake_channels_sql(served: ServedBuild | None) -> str:
    marts_counts = _MARTS_COUNTS.format(catalog=served.catalog) if served is not None else ""
    return _SQL.format(marts_counts=marts_counts, lake_counts=_LAKE_LIVE_COUNTS,
                       extents=_EXTENTS)


async def lake_channels(marts: ServedMarts) -> list[LakeChannel]:
    def work(cursor, served: ServedBuild | None) -> list[tuple]:
        return cursor.execute(lake_channels_sql(served),
                              {"through_us": through_us(served)}).fetchall()

    rows = await marts.run(work)
    return [
        LakeChannel(bid, login, count, _utc(first), _utc(last))
        for bid, login, count, first, last in rows
    ]


async def postgres_channels(conn: AsyncConnection) -> list[PostgresChannel]:
    cursor = await conn.execute(
        """
        with clip_counts as (
            select broadcaster_id, count(*) filter (where status = 'completed') as completed
            from clips group by broadcaster_id
        ), emote_counts as (
            select broadcaster_id, count(*) as emotes
            from channel_emotes where valid_to is null group by broadcaster_id
        ), ids as (
            select broadcaster_id from streamers
            union select broadcaster_id from clip_counts
            union select broadcaster_id from emote_counts
        )
        select ids.broadcaster_id, s.streamer_login, s.allows_clipping,
               coalesce(c.completed, 0), coalesce(e.emotes, 0)
        from ids
        left join streamers s using (broadcaster_id)
        left join clip_counts c using (broadcaster_id)
        left join emote_counts e using (broadcaster_id)
        """
    )
    return [PostgresChannel(*row) for row in await cursor.fetchall()]
