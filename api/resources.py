"""What the app holds open while it runs, and how handlers get at it.

`Resources` is built in the app's lifespan (or handed in by a test) and kept on `app.state`;
handlers receive its parts through the dependencies below, never through globals.
"""

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from litestar import Litestar
from litestar.datastructures import State
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from api.cache import TTLCache
from api.channels import ChannelDirectory
from api.lake import LakeReader
from api.marts import ServedMarts
from api.optouts import ApiOptOuts
from api.queries.emotes import EmoteSetCache

log = logging.getLogger(__name__)
# Connections the API keeps to PostgreSQL; the endpoints are short single queries.
POOL_MIN_SIZE = 2
POOL_MAX_SIZE = 8
POOL_TIMEOUT_SECONDS = 5.0
# Export downloads streaming at once (each holds a DuckDB connection and a worker thread while
# its body is sent); one more is a 503 with Retry-After.
MAX_CONCURRENT_EXPORTS = 2
# How stale a clips page may be; see api/cache.py.
CLIP_CACHE_SECONDS = 1.0


@dataclass
class Resources:
    pool: AsyncConnectionPool
    lake: LakeReader
    # The published marts build as the series see it (attached to the lake's DuckDB).
    marts: ServedMarts
    channels: ChannelDirectory
    emote_sets: EmoteSetCache
    # Who must not be shown (the opt-out registry, re-read every few seconds).
    optouts: ApiOptOuts
    clip_pages: TTLCache = field(default_factory=lambda: TTLCache(CLIP_CACHE_SECONDS))
    # The marts DuckDB file (`Settings.warehouse_path`) that exports read, when there is one.
    marts_path: Path | None = None
    # Kafka's bootstrap servers, for the live chat feed (None: no feed).
    kafka_servers: str | None = None
    export_slots: threading.BoundedSemaphore = field(
        default_factory=lambda: threading.BoundedSemaphore(MAX_CONCURRENT_EXPORTS))


async def _configure(conn: AsyncConnection) -> None:
    # Reads need no transaction; times come back in UTC whatever the server's zone.
    await conn.set_autocommit(True)
    await conn.execute("set time zone 'UTC'")


def open_pool(postgres_url: str) -> AsyncConnectionPool:
    return AsyncConnectionPool(
        postgres_url,
        min_size=POOL_MIN_SIZE,
        max_size=POOL_MAX_SIZE,
        configure=_configure,
        open=False,
        name="chatlake-api",
        # Wait at most this long for a connection, then answer 503 rather than hang.
        timeout=POOL_TIMEOUT_SECONDS,
    )


def build_resources(postgres_url: str, lake_uri: str, marts_path: Path | None = None,
                    kafka_servers: str | None = None) -> Resources:
    pool = open_pool(postgres_url)
    lake = LakeReader(lake_uri)
    marts = ServedMarts(lake, marts_path)
    optouts = ApiOptOuts(pool)
    return Resources(pool, lake, marts, ChannelDirectory(marts, pool, optouts), EmoteSetCache(),
                     optouts,
                     marts_path=marts_path, kafka_servers=kafka_servers)


def lifespan(make: Callable[[], Resources]) -> Callable:
    """A lifespan that builds Resources with `make()`, opens the pool and closes both after."""

    @asynccontextmanager
    async def manage(app: Litestar) -> AsyncIterator[None]:
        resources = make()
        # wait=False: the API starts (and /health answers) even while PostgreSQL is down;
        # readiness and the endpoints that need it report the outage instead.
        await resources.pool.open(wait=False)
        app.state.resources = resources
        # The channel directory scans the marts and PostgreSQL once (over a second on a big
        # lake): start it now, so the first page does not wait for it.
        warming = asyncio.create_task(_warm(resources))
        try:
            yield
        finally:
            warming.cancel()
            await resources.pool.close()
            resources.lake.close()

    return manage


async def _warm(resources: Resources) -> None:
    try:
        await resources.channels.all()
    except Exception as error:  # the first request will try again and report it
        log.warning("channel directory not warmed at start: %s", error)


def provide_resources(state: State) -> Resources:
    return state.resources
