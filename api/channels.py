"""The channel directory: every channel the lake or PostgreSQL knows, looked up by id or login.

Listing channels scans the lake's broadcaster columns, so the merged list is cached for a few
seconds; a channel that appears in between is found on the next refresh.
"""

import logging
import time

import anyio
import psycopg
from litestar.exceptions import NotFoundException
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from api.marts import ServedMarts
from api.optouts import ApiOptOuts
from api.queries.channels import lake_channels, postgres_channels
from api.schemas import Channel

log = logging.getLogger(__name__)
CACHE_SECONDS = 10.0


class ChannelDirectory:
    def __init__(self, marts: ServedMarts, pool: AsyncConnectionPool,
                 optouts: ApiOptOuts) -> None:
        self._marts = marts
        self._pool = pool
        self._optouts = optouts
        self._channels: list[Channel] = []
        self._loaded_at = float("-inf")
        self._lock = anyio.Lock()

    async def all(self) -> list[Channel]:
        """Every channel but the opted-out ones (whose opt-out counts from the moment it is
        read, not from the next refresh of this list)."""
        if time.monotonic() - self._loaded_at > CACHE_SECONDS:
            async with self._lock:
                if time.monotonic() - self._loaded_at > CACHE_SECONDS:
                    self._channels = await self._load()
                    self._loaded_at = time.monotonic()
        optouts = await self._optouts.current()
        if not optouts:
            return self._channels
        return [c for c in self._channels if not optouts.drops_channel(c.broadcaster_id, c.login)]

    async def resolve(self, channel: str) -> Channel:
        """The channel whose broadcaster id or login is `channel`, or a 404 that says so."""
        wanted = channel.strip().lower().removeprefix("#")
        for found in await self.all():
            if found.broadcaster_id == wanted or (found.login or "").lower() == wanted:
                return found
        raise NotFoundException(
            detail=f"unknown channel {channel[:100]!r}: no broadcaster id or login of that name "
            "in the lake or the streamers table (GET /v1.0/channels lists them)"
        )

    async def _load(self) -> list[Channel]:
        merged: dict[str, Channel] = {}
        for row in await lake_channels(self._marts):
            merged[row.broadcaster_id] = Channel(
                broadcaster_id=row.broadcaster_id,
                login=row.login,
                message_count=row.message_count,
                first_message_at=row.first_message_at,
                last_message_at=row.last_message_at,
                completed_clips=0,
                allows_clipping=None,
                third_party_emotes=0,
            )
        try:
            async with self._pool.connection(timeout=2.0) as conn:
                rows = await postgres_channels(conn)
        except (psycopg.Error, PoolTimeout) as error:
            # The lake alone still answers the analytics; PostgreSQL adds clips and logins.
            log.warning("channel list without PostgreSQL: %s", error)
            rows = []
        for row in rows:
            known = merged.get(row.broadcaster_id) or Channel(
                row.broadcaster_id, row.login, 0, None, None, 0, None, 0
            )
            known.login = row.login or known.login
            known.allows_clipping = row.allows_clipping
            known.completed_clips = row.completed_clips
            known.third_party_emotes = row.third_party_emotes
            merged[row.broadcaster_id] = known
        return sorted(merged.values(), key=lambda c: (-c.message_count, c.login or ""))
