"""What is known about each channel: its messages in the lake, its row and clips in PostgreSQL."""

from dataclasses import dataclass
from datetime import UTC, datetime

from psycopg import AsyncConnection

from api.lake import LakeReader


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


async def lake_channels(lake: LakeReader) -> list[LakeChannel]:
    rows = await lake.fetch(
        "select broadcaster_id, max(broadcaster_login), count(*),"
        " epoch_ms(min(timestamp)), epoch_ms(max(timestamp))"
        " from chat_messages group by broadcaster_id"
    )
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
