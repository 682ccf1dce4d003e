"""The monitor's PostgreSQL side: `streamers`, `monitor_follows`, `monitor_events`.

Every function takes an open connection inside the caller's transaction: a cycle reads and
writes its state in one transaction, under `MONITOR_LOCK`, so two overlapping ticks (a slow
run and the next schedule tick) cannot both join the same channel.
"""

from collections.abc import Iterable
from datetime import datetime

from psycopg import AsyncConnection

from ingest.monitor.ranking import LiveStream
from ingest.monitor.rules import Follow, Transition

MONITOR_LOCK = 0x6D6F6E69746F72  # "monitor": a transaction-level advisory lock


async def lock(conn: AsyncConnection) -> None:
    await conn.execute("select pg_advisory_xact_lock(%s)", [MONITOR_LOCK])


async def load_follows(conn: AsyncConnection) -> dict[str, Follow]:
    cursor = await conn.execute(
        "select broadcaster_id, broadcaster_login, followed_since, last_rank, last_seen_at,"
        " missed_polls, join_reason from monitor_follows")
    return {row[0]: Follow(*row) for row in await cursor.fetchall()}


async def upsert_streamers(conn: AsyncConnection, streams: Iterable[LiveStream],
                           now: datetime) -> None:
    rows = [(s.broadcaster_id, s.login, now, now) for s in streams]
    if not rows:
        return
    async with conn.cursor() as cursor:
        await cursor.executemany(
            "insert into streamers (broadcaster_id, streamer_login, first_seen_at, last_seen_at)"
            " values (%s, %s, %s, %s) on conflict (broadcaster_id) do update"
            " set streamer_login = excluded.streamer_login, last_seen_at = excluded.last_seen_at",
            rows)


async def upsert_stream_metadata(conn: AsyncConnection, streams: Iterable[LiveStream],
                                 now: datetime) -> None:
    """Each polled broadcast's game, title and language (migration 0008): one row per channel
    and start, the latest values kept; a changed game or title updates the row."""
    rows = [(s.broadcaster_id, s.started_at, s.game_id, s.game_name, s.title, s.language, now,
             now) for s in streams if s.started_at]
    if not rows:
        return
    async with conn.cursor() as cursor:
        await cursor.executemany(
            "insert into streams (broadcaster_id, started_at, game_id, game_name, title,"
            " language, first_seen_at, last_seen_at) values (%s, %s, %s, %s, %s, %s, %s, %s)"
            " on conflict (broadcaster_id, started_at) do update set"
            " game_id = excluded.game_id, game_name = excluded.game_name,"
            " title = excluded.title, language = excluded.language,"
            " last_seen_at = excluded.last_seen_at", rows)


async def forbidden(conn: AsyncConnection, channels: Iterable[str]) -> set[str]:
    """Channels known (from a Create Clip 403) not to allow clipping."""
    cursor = await conn.execute(
        "select broadcaster_id from streamers where not allows_clipping"
        " and broadcaster_id = any(%s)", [list(channels)])
    return {row[0] for row in await cursor.fetchall()}


async def opted_out(conn: AsyncConnection, channels: dict[str, str]) -> frozenset[str]:
    """Which of `channels` (id -> login) opted out (by id or login): never joined."""
    cursor = await conn.execute(
        "select subject_id, subject_login from optouts where kind = 'channel'")
    rows = await cursor.fetchall()
    ids = {row[0] for row in rows if row[0]}
    logins = {row[1] for row in rows if row[1]}
    return frozenset(c for c, login in channels.items()
                     if c in ids or (login or "").lower() in logins)


async def save(conn: AsyncConnection, follows: dict[str, Follow],
               transitions: list[Transition], now: datetime) -> None:
    await conn.execute("delete from monitor_follows where not (broadcaster_id = any(%s))",
                       [list(follows)])
    async with conn.cursor() as cursor:
        if follows:
            await cursor.executemany(
                "insert into monitor_follows (broadcaster_id, broadcaster_login, followed_since,"
                " last_rank, last_seen_at, missed_polls, join_reason)"
                " values (%s, %s, %s, %s, %s, %s, %s) on conflict (broadcaster_id) do update"
                " set broadcaster_login = excluded.broadcaster_login,"
                " last_rank = excluded.last_rank, last_seen_at = excluded.last_seen_at,"
                " missed_polls = excluded.missed_polls",
                [(f.broadcaster_id, f.login, f.since, f.rank, f.last_seen_at, f.missed_polls,
                  f.join_reason) for f in follows.values()])
        if transitions:
            await cursor.executemany(
                "insert into monitor_events (at, event_type, broadcaster_id, broadcaster_login,"
                " rank, reason) values (%s, %s, %s, %s, %s, %s)",
                [(now, t.event_type, t.broadcaster_id, t.login, t.rank, t.reason)
                 for t in transitions])
