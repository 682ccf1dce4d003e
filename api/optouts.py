"""The opt-out registry as the API sees it: who must not be shown, re-read every few seconds.

From the moment an opt-out is added the API stops showing it, before any erasure: an opted-out
channel is unknown to every channel endpoint and its clips are not listed; an opted-out user's
lines leave the clip chat, the live feed and the exports. Aggregates (counts) keep them until
the erasure rebuilds the marts. A registry that cannot be read (PostgreSQL down, or not
migrated yet) leaves the last set in place, and an empty one at first.
"""

import logging
import time

import anyio
import psycopg
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from warehouse.optouts import NO_OPTOUTS, OptOut, OptOutSet

log = logging.getLogger(__name__)
REFRESH_SECONDS = 5.0


class ApiOptOuts:
    def __init__(self, pool: AsyncConnectionPool, refresh_s: float = REFRESH_SECONDS) -> None:
        self._pool = pool
        self._refresh_s = refresh_s
        self._set = NO_OPTOUTS
        self._read_at = float("-inf")
        self._lock = anyio.Lock()

    async def current(self) -> OptOutSet:
        if time.monotonic() - self._read_at >= self._refresh_s:
            async with self._lock:
                if time.monotonic() - self._read_at >= self._refresh_s:
                    await self._reload()
        return self._set

    async def _reload(self) -> None:
        try:
            async with self._pool.connection(timeout=2.0) as conn:
                cursor = await conn.execute(
                    "select kind, subject_id, subject_login, reason from optouts")
                self._set = OptOutSet.of([OptOut(*row) for row in await cursor.fetchall()])
        except (psycopg.Error, PoolTimeout) as error:
            log.warning("opt-out registry not read, keeping the last set: %s",
                        type(error).__name__)
        self._read_at = time.monotonic()
