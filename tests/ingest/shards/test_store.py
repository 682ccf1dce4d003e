"""The shards' PostgreSQL side against a real server: registration refuses a second live
process of one shard or one Twitch user, heartbeats carry the assignment, a takeover and a
clean stop are seen."""

import asyncio
import os
import time

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from ingest.shards import store
from ingest.shards.assign import assign

pytestmark = pytest.mark.integration


@pytest.fixture
def dsn(postgres_server):
    name = f"shardstore_{os.getpid()}_{time.time_ns()}"
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f"create database {name}")
    return make_conninfo(postgres_server, dbname=name)


def run(dsn, work):
    async def go():
        async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
            await store.ensure_schema(conn, dsn)
            return await work(conn)

    return asyncio.run(go())


def register(dsn, shard_id, user_id):
    return run(dsn, lambda conn: store.register(conn, shard_id=shard_id, user_id=user_id,
                                                user_login=f"u{user_id}", cap=95,
                                                dead_after_s=30))


def test_one_live_process_per_shard_and_per_twitch_user(dsn):
    first = register(dsn, "a", "1")
    with pytest.raises(store.ShardConflict, match="already running"):
        register(dsn, "a", "1")
    with pytest.raises(store.ShardConflict, match="one shard per account"):
        register(dsn, "b", "1")
    register(dsn, "b", "2")
    run(dsn, lambda conn: store.stopped(conn, shard_id="a", instance_id=first))
    register(dsn, "a", "1")  # a stopped shard may start again at once


def test_heartbeat_reads_the_assignment_and_a_takeover_ends_the_old_process(dsn):
    old = register(dsn, "a", "1")
    register(dsn, "b", "2")

    async def write_assignment(conn):
        async with conn.transaction():
            shards = await store.load_shards(conn, 30)
            result = assign(["c1", "c2", "c3"], shards, {})
            await store.save_assignment(conn, result, {"c1": "one"}, {"c1": 1, "c2": 2})
        return result

    result = run(dsn, write_assignment)
    mine = run(dsn, lambda conn: store.heartbeat(conn, shard_id="a", instance_id=old,
                                                 subscribed=0, token_error=None))
    assert [c.broadcaster_id for c in mine] == sorted(
        c for c, s in result.channels.items() if s == "a")
    # The row is taken over (e.g. the old process was judged dead and a new one started).
    run(dsn, lambda conn: conn.execute("update ingest_shards set heartbeat_at = now() - "
                                       "interval '1 hour' where shard_id = 'a'"))
    register(dsn, "a", "1")
    assert run(dsn, lambda conn: store.heartbeat(conn, shard_id="a", instance_id=old,
                                                 subscribed=0, token_error=None)) is None


def test_the_monitor_sees_stale_stopped_and_failed_shards(dsn):
    a, b, c = register(dsn, "a", "1"), register(dsn, "b", "2"), register(dsn, "c", "3")
    run(dsn, lambda conn: store.heartbeat(conn, shard_id="b", instance_id=b, subscribed=3,
                                          token_error="invalid and the refresh was refused"))
    run(dsn, lambda conn: store.stopped(conn, shard_id="c", instance_id=c))
    run(dsn, lambda conn: conn.execute("update ingest_shards set heartbeat_at = now() - "
                                       "interval '40 seconds' where shard_id = 'a'"))
    shards = {s.shard_id: s for s in run(dsn, lambda conn: store.load_shards(conn, 30))}
    assert not any(s.alive for s in shards.values())
    assert shards["a"].problem.startswith("no heartbeat for 4")
    assert shards["b"].problem == "token failed: invalid and the refresh was refused"
    assert shards["c"].problem == "stopped"
    assert a
