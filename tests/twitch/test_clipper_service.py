"""The clipper against the stand-in (real aiohttp over sockets) and a real PostgreSQL.

Request times are recorded by the server (a middleware outside the fault injection), so the
retry spacing is read from when Create Clip calls arrived, not from the test's clock.
"""

import asyncio
import itertools
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from aiohttp import web

from clipper import ClipperConfig, ClipperService
from standin import TwitchStandIn
from tests.twitch.fixtures import seeded_store, unique_channels
from twitch.helix import HelixEndpoint
from twitch.tokens import TokenStore
from warehouse.postgres import apply_migrations

pytestmark = pytest.mark.integration


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


@pytest.fixture(name="standin")
def standin_fixture():
    server = RecordingStandIn(clip_delay_s=0.5).start_in_thread()
    try:
        yield server
    finally:
        server.stop_thread()


@pytest.fixture(name="own_db")
def own_db_fixture(postgres_server):
    """A database of its own: detections other suites leave pending are not ours to clip."""
    name = f"clipper_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    dsn = postgres_server.rsplit("/", 1)[0] + "/" + name
    apply_migrations(dsn)
    yield dsn
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f'drop database "{name}" with (force)')


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


def test_completes_a_detection(standin, own_db, tmp_path):
    [channel] = live(standin)
    clip_row = detect(own_db, channel)
    asyncio.run(run_until(service(standin, own_db, tmp_path), finished(own_db, clip_row)))
    done = row(own_db, clip_row)
    [clip] = standin.clips()
    assert done["status"] == "completed" and done["clip_id"] == clip["id"]
    assert done["embed_url"] == clip["embed_url"]
    assert done["thumbnail_url"] == clip["thumbnail_url"]
    assert done["completed_at"] is not None and done["attempts"] == 1
    assert done["title"] == clip["title"] and f"#{clip_row}" in clip["title"]


def test_create_clip_retried_at_2_and_4_seconds_on_503(standin, own_db, tmp_path, caplog):
    caplog.set_level("INFO", logger="clipper.service")
    [channel] = live(standin)
    standin.add_fault("/helix/clips", 503, count=2, method="POST")
    clip_row = detect(own_db, channel)
    asyncio.run(run_until(service(standin, own_db, tmp_path), finished(own_db, clip_row)))
    calls = standin.creates()
    assert [status for _, status in calls] == [503, 503, 202]
    # The waits the clipper chose, and (a slow machine can only lengthen them) that the calls
    # really came no sooner: no upper bound on wall time, which load could break.
    waits = [record.args[-1] for record in caplog.records if "retrying in" in record.msg]
    assert waits == [2.0, 4.0]
    gaps = [later - earlier for (earlier, _), (later, _) in itertools.pairwise(calls)]
    assert gaps[0] >= 2.0 and gaps[1] >= 4.0, gaps
    done = row(own_db, clip_row)
    assert done["status"] == "completed" and done["attempts"] == 3
    assert len(standin.clips()) == 1


def test_429_waits_for_ratelimit_reset(standin, own_db, tmp_path):
    [channel] = live(standin)
    standin.add_fault("/helix/clips", 429, count=1, method="POST", ratelimit_reset_s=5.0)
    clip_row = detect(own_db, channel)
    asyncio.run(run_until(service(standin, own_db, tmp_path), finished(own_db, clip_row)))
    (first, _), (second, status) = standin.creates()
    # Ratelimit-Reset is a whole epoch second 4-5 s ahead: longer than the 2 s back-off.
    assert status == 202 and second - first >= 3.5
    assert row(own_db, clip_row)["status"] == "completed"


def test_transient_failures_exhausted_record_the_reason(standin, own_db, tmp_path):
    [channel] = live(standin)
    standin.add_fault("/helix/clips", 503, count=3, method="POST")
    clip_row = detect(own_db, channel)
    asyncio.run(run_until(service(standin, own_db, tmp_path), finished(own_db, clip_row)))
    done = row(own_db, clip_row)
    assert done["status"] == "failed" and done["attempts"] == 3
    assert "3 times" in done["failure_reason"] and "503" in done["failure_reason"]
    assert standin.clips() == []


def test_403_marks_the_channel_as_not_allowing_clips(standin, own_db, tmp_path):
    [channel] = live(standin)
    standin.forbid_clips(channel)
    clip_row = detect(own_db, channel)
    asyncio.run(run_until(service(standin, own_db, tmp_path), finished(own_db, clip_row)))
    done = row(own_db, clip_row)
    assert done["status"] == "failed" and "not allowed" in done["failure_reason"]
    assert len(standin.creates()) == 1  # a 403 is not retried
    with psycopg.connect(own_db) as conn:
        allows = conn.execute("select allows_clipping from streamers where broadcaster_id = %s",
                              [channel]).fetchone()
    assert allows == (False,)


def test_offline_channel_and_invisible_clip_fail_with_reasons(own_db, tmp_path):
    slow = RecordingStandIn(clip_delay_s=60.0).start_in_thread()  # clips never show in time
    try:
        [channel] = live(slow)
        offline = detect(own_db, "1")  # not live: 404
        invisible = detect(own_db, channel)
        clipper = service(slow, own_db, tmp_path, read_bound_s=3.0)
        asyncio.run(run_until(clipper, lambda: finished(own_db, offline)()
                              and finished(own_db, invisible)()))
    finally:
        slow.stop_thread()
    assert "not live" in row(own_db, offline)["failure_reason"]
    reason = row(own_db, invisible)["failure_reason"]
    assert "not visible" in reason and row(own_db, invisible)["clip_id"]


def test_too_late_detection_is_not_clipped(standin, own_db, tmp_path):
    [channel] = live(standin)
    clip_row = detect(own_db, channel, seconds_ago=300)
    asyncio.run(run_until(service(standin, own_db, tmp_path), finished(own_db, clip_row)))
    assert row(own_db, clip_row)["failure_reason"].startswith("too late")
    assert standin.creates() == []


def test_expired_token_is_refreshed_and_persisted(standin, own_db, tmp_path):
    [channel] = live(standin)
    store = seeded_store(standin, tmp_path)
    before = store.load()
    standin.expire_token(before.access_token)
    clip_row = detect(own_db, channel)
    asyncio.run(run_until(service(standin, own_db, tmp_path), finished(own_db, clip_row)))
    after = store.load()
    assert after.access_token != before.access_token
    assert after.refresh_token != before.refresh_token
    assert row(own_db, clip_row)["status"] == "completed"
