"""The chat ingest service as one shard of several (one per Twitch account).

    membership = ShardMembership(service, dsn, "acct-a", heartbeat_s=5, dead_after_s=30)
    await membership.register()      # refuses a second live shard of this id or this user
    await membership.run(stop)       # beat, read the assignment, hand it to the book

Every `heartbeat_s` the shard writes its heartbeat (with how many channels it reads and, when
its token failed, why) and reads the channels the monitor assigned to it, in one transaction.
The monitor moves the channels of a shard whose heartbeat is older than `dead_after_s`, or
whose token failed, at its next cycle. When PostgreSQL is unreachable the shard keeps reading
what it has (duplicates, if the monitor moved them meanwhile, are allowed: at-least-once).
"""

import asyncio
import contextlib
import logging
import time
from typing import Protocol

import psycopg

from ingest.chat_ingest.channels import ChannelBook, Followed
from ingest.shards import store

log = logging.getLogger(__name__)


class ShardedService(Protocol):
    book: ChannelBook
    auth_problem: str | None

    def channels_read(self) -> int: ...
    def channels_changed(self) -> None: ...


class ShardMembership:
    def __init__(self, service: ShardedService, dsn: str, shard_id: str, *, user_id: str,
                 user_login: str, cap: int, heartbeat_s: float, dead_after_s: float) -> None:
        self.service = service
        self.dsn = dsn
        self.shard_id = shard_id
        self.user_id, self.user_login, self.cap = user_id, user_login, cap
        self.heartbeat_s = heartbeat_s
        self.dead_after_s = dead_after_s
        self.instance_id: str | None = None
        self.beats = 0
        self.taken_over = False

    async def _connect(self) -> psycopg.AsyncConnection:
        conn = await psycopg.AsyncConnection.connect(self.dsn, autocommit=True)
        await store.ensure_schema(conn, self.dsn)
        return conn

    async def register(self) -> None:
        """Raises store.ShardConflict (the caller stops with its message)."""
        async with await self._connect() as conn:
            self.instance_id = await store.register(
                conn, shard_id=self.shard_id, user_id=self.user_id,
                user_login=self.user_login, cap=self.cap, dead_after_s=self.dead_after_s)
        log.info("ingest shard %s registered (Twitch user %s, cap %d channels)",
                 self.shard_id, self.user_login, self.cap)

    async def run(self, stop: asyncio.Event) -> None:
        assert self.instance_id is not None, "register() first"
        conn: psycopg.AsyncConnection | None = None
        try:
            while not stop.is_set() and not self.taken_over:
                try:
                    conn = conn if conn is not None and not conn.closed else (
                        await self._connect())
                    await self._beat(conn)
                except (psycopg.Error, OSError) as error:
                    log.warning("shard %s: heartbeat failed (%s); keeping the %d channels it "
                                "reads", self.shard_id, type(error).__name__,
                                self.service.channels_read())
                    if conn is not None:
                        with contextlib.suppress(Exception):
                            await conn.close()
                    conn = None
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.heartbeat_s)
        finally:
            if conn is not None:
                with contextlib.suppress(Exception):
                    if not self.taken_over:
                        await store.stopped(conn, shard_id=self.shard_id,
                                            instance_id=self.instance_id)
                    await conn.close()

    async def _beat(self, conn: psycopg.AsyncConnection) -> None:
        assert self.instance_id is not None
        assigned = await store.heartbeat(
            conn, shard_id=self.shard_id, instance_id=self.instance_id,
            subscribed=self.service.channels_read(), token_error=self.service.auth_problem)
        self.beats += 1
        if assigned is None:
            log.critical("shard %s was taken over by another process: reading no channels",
                         self.shard_id)
            self.taken_over = True
            assigned = []
        now_ms = int(time.time() * 1000)
        self.service.book.replace([Followed(a.broadcaster_id, a.login, a.rank, now_ms,
                                            "assigned") for a in assigned])
        self.service.channels_changed()
