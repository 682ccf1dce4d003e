"""The shards' PostgreSQL side: `ingest_shards` (one row per shard, its heartbeat and token
health) and `ingest_assignments` (channel -> shard, written by the monitor).

Times are the database's (`now()`), for heartbeats and for judging them, so shards on hosts
with skewed clocks are judged fairly.

The tables are created here, idempotently under an advisory lock, not by a migration: the
warehouse migrations are being rewritten (issue 11) and these tables belong to the ingest
path alone. `ensure_schema` runs once per process and DSN.
"""

import uuid
from dataclasses import dataclass

from psycopg import AsyncConnection

from ingest.shards.assign import Assignment, Move, Shard

SCHEMA_LOCK = 0x696E67657374  # "ingest": serializes concurrent `create table if not exists`
SCHEMA = """
create table if not exists ingest_shards (
    shard_id text primary key,
    instance_id text not null,
    user_id text not null,
    user_login text not null,
    cap integer not null,
    started_at timestamptz not null default now(),
    heartbeat_at timestamptz not null default now(),
    token_error text,
    subscribed integer not null default 0,
    stopped boolean not null default false
);
create table if not exists ingest_assignments (
    broadcaster_id text primary key,
    broadcaster_login text not null,
    shard_id text not null,
    rank integer,
    assigned_at timestamptz not null default now(),
    reason text not null
);
create index if not exists ingest_assignments_by_shard on ingest_assignments (shard_id);
"""
_ensured: set[str] = set()


class ShardConflict(RuntimeError):
    """Another live shard already runs as this shard id or for this Twitch user."""


async def ensure_schema(conn: AsyncConnection, dsn: str) -> None:
    if dsn in _ensured:
        return
    async with conn.transaction():
        await conn.execute("select pg_advisory_xact_lock(%s)", [SCHEMA_LOCK])
        await conn.execute(SCHEMA)
    _ensured.add(dsn)


# ---------- the shard's side ----------


@dataclass(frozen=True)
class AssignedChannel:
    broadcaster_id: str
    login: str
    rank: int | None


async def register(conn: AsyncConnection, *, shard_id: str, user_id: str, user_login: str,
                   cap: int, dead_after_s: float) -> str:
    """Claim the shard row; returns this process's instance id. Refuses when another live
    process holds the same shard id, or a live shard of another id reads as the same user."""
    instance = uuid.uuid4().hex
    async with conn.transaction():
        await conn.execute("select pg_advisory_xact_lock(%s)", [SCHEMA_LOCK])
        cursor = await conn.execute(
            "select shard_id, user_id from ingest_shards where not stopped"
            " and heartbeat_at >= now() - make_interval(secs => %s)"
            " and (shard_id = %s or user_id = %s)", [dead_after_s, shard_id, user_id])
        for other_shard, other_user in await cursor.fetchall():
            if other_shard == shard_id:
                raise ShardConflict(f"shard {shard_id} is already running (its heartbeat is "
                                    f"fresh); stop it or wait {dead_after_s:.0f} s")
            raise ShardConflict(f"shard {other_shard} already reads chat as Twitch user "
                                f"{other_user}: one shard per account")
        await conn.execute(
            "insert into ingest_shards (shard_id, instance_id, user_id, user_login, cap)"
            " values (%s, %s, %s, %s, %s) on conflict (shard_id) do update set"
            " instance_id = excluded.instance_id, user_id = excluded.user_id,"
            " user_login = excluded.user_login, cap = excluded.cap, started_at = now(),"
            " heartbeat_at = now(), token_error = null, subscribed = 0, stopped = false",
            [shard_id, instance, user_id, user_login, cap])
    return instance


async def heartbeat(conn: AsyncConnection, *, shard_id: str, instance_id: str,
                    subscribed: int, token_error: str | None) -> list[AssignedChannel] | None:
    """Beat and read this shard's channels, in one transaction. None: another process took
    the shard over (its instance id is in the row), so this one must stop reading."""
    async with conn.transaction():
        cursor = await conn.execute(
            "update ingest_shards set heartbeat_at = now(), subscribed = %s, token_error = %s"
            " where shard_id = %s and instance_id = %s returning shard_id",
            [subscribed, token_error, shard_id, instance_id])
        if await cursor.fetchone() is None:
            return None
        cursor = await conn.execute(
            "select broadcaster_id, broadcaster_login, rank from ingest_assignments"
            " where shard_id = %s order by rank nulls last, broadcaster_id", [shard_id])
        return [AssignedChannel(*row) for row in await cursor.fetchall()]


async def stopped(conn: AsyncConnection, *, shard_id: str, instance_id: str) -> None:
    """A clean stop: the monitor moves the channels at its next cycle without waiting."""
    await conn.execute("update ingest_shards set stopped = true where shard_id = %s"
                       " and instance_id = %s", [shard_id, instance_id])


# ---------- the monitor's side ----------


async def load_shards(conn: AsyncConnection, dead_after_s: float) -> list[Shard]:
    cursor = await conn.execute(
        "select shard_id, cap, stopped, token_error,"
        " extract(epoch from now() - heartbeat_at)::float8 from ingest_shards"
        " order by shard_id")
    shards = []
    for shard_id, cap, was_stopped, token_error, age in await cursor.fetchall():
        problem = ("stopped" if was_stopped else
                   f"token failed: {token_error}" if token_error else
                   f"no heartbeat for {age:.0f} s" if age > dead_after_s else None)
        shards.append(Shard(shard_id, cap, problem is None, problem))
    return shards


async def load_assignment(conn: AsyncConnection) -> dict[str, str]:
    cursor = await conn.execute("select broadcaster_id, shard_id from ingest_assignments")
    return dict(await cursor.fetchall())


async def save_assignment(conn: AsyncConnection, assignment: Assignment,
                          logins: dict[str, str], ranks: dict[str, int | None]) -> None:
    """Write the assignment; rows of channels not served any more are deleted."""
    moved: dict[str, Move] = {m.broadcaster_id: m for m in assignment.moves}
    await conn.execute("delete from ingest_assignments where not (broadcaster_id = any(%s))",
                       [list(assignment.channels)])
    rows = [(channel, logins.get(channel, channel), shard, ranks.get(channel),
             moved[channel].reason if channel in moved else "kept")
            for channel, shard in assignment.channels.items()]
    if not rows:
        return
    async with conn.cursor() as cursor:
        await cursor.executemany(
            "insert into ingest_assignments (broadcaster_id, broadcaster_login, shard_id,"
            " rank, reason) values (%s, %s, %s, %s, %s) on conflict (broadcaster_id) do"
            " update set broadcaster_login = excluded.broadcaster_login,"
            " rank = excluded.rank,"
            " reason = case when ingest_assignments.shard_id = excluded.shard_id"
            " then ingest_assignments.reason else excluded.reason end,"
            " assigned_at = case when ingest_assignments.shard_id = excluded.shard_id"
            " then ingest_assignments.assigned_at else now() end,"
            " shard_id = excluded.shard_id", rows)
