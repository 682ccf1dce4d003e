"""Helpers of the clipper tests: a stand-in that records request times, pending detections as
the detector writes them, a clipper wired to both, and waiting for it."""

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import psycopg
from aiohttp import web

from clipper import ClipperConfig, ClipperService
from standin import TwitchStandIn
from tests.standin.support import seeded_store, unique_channels
from twitch.helix import HelixEndpoint
from twitch.tokens import TokenStore


class RecordingStandIn(TwitchStandIn):
    """The stand-in, plus a log of (method, path, arrival time, status) of every request."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.requests: list[tuple[str, str, float, int]] = []

    def build_app(self) -> web.Application:
        app = super().build_app()

        @web.middleware
        async def record(request: web.Request, handler) -> web.StreamResponse:
            arrived = time.monotonic()
            response = await handler(request)
            self.requests.append((request.method, request.path, arrived, response.status))
            return response

        app.middlewares.insert(0, record)
        return app

    def creates(self) -> list[tuple[float, int]]:
        return [(at, status) for method, path, at, status in self.requests
                if (method, path) == ("POST", "/helix/clips")]


def live(standin: TwitchStandIn, count: int = 1) -> list[str]:
    channels = unique_channels(count)
    standin.set_streams([{"user_id": c, "user_login": f"login{c}"} for c in channels])
    return channels


def detect(dsn: str, channel: str, *, seconds_ago: float = 10.0) -> int:
    """A pending detection as the detector writes it, due for Create Clip now."""
    at = datetime.now(tz=UTC) - timedelta(seconds=seconds_ago)
    with psycopg.connect(dsn) as conn:
        return conn.execute(
            "insert into clips (broadcaster_id, detected_at, window_start, window_end, status)"
            " values (%s, %s, %s, %s, 'pending') returning id",
            [channel, at, at - timedelta(seconds=5), at]).fetchone()[0]


def row(dsn: str, clip_row: int) -> dict:
    with psycopg.connect(dsn) as conn:
        cursor = conn.execute("select * from clips where id = %s", [clip_row])
        names = [c.name for c in cursor.description]
        return dict(zip(names, cursor.fetchone(), strict=True))


def service(standin: TwitchStandIn, dsn: str, folder, *, after_create=None,
            **overrides) -> ClipperService:
    """A clipper with the folder's token (seeded on first use) reading clips after 1 s."""
    path = folder / "twitch-token.json"
    store = TokenStore(path) if path.exists() else seeded_store(standin, folder)
    config = ClipperConfig(dsn=dsn, worker_id="test-clipper", read_after_s=1.0,
                           read_every_s=0.5, poll_interval_s=0.2, **overrides)
    endpoint = HelixEndpoint(standin.helix_url, standin.auth_url, standin.client_id,
                             standin.client_secret, timeout_s=5.0)
    return ClipperService(config, endpoint, store, after_create=after_create)


async def run_until(clipper: ClipperService, done: Callable[[], bool],
                    timeout: float = 60.0) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(clipper.run(stop))
    deadline = time.monotonic() + timeout
    try:
        while not await asyncio.to_thread(done):
            if task.done():
                task.result()
                return
            assert time.monotonic() < deadline, "timed out waiting for the clipper"
            await asyncio.sleep(0.2)
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)


def finished(dsn: str, clip_row: int) -> Callable[[], bool]:
    return lambda: row(dsn, clip_row)["status"] in ("completed", "failed")
