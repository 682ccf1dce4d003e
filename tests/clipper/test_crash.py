"""At most one clip per detection, even when the clipper dies between Create Clip and
recording its answer; and no work at all without a usable token."""

import asyncio
import os
import signal
import subprocess
import sys
import time

import psycopg
import pytest
from aiohttp import web

from standin import TwitchStandIn
from tests.clipper.support import RecordingStandIn, detect, finished, live, row, run_until, service
from tests.standin.support import seeded_store

pytestmark = pytest.mark.integration


class SimulatedCrash(BaseException):
    """Not an Exception: nothing in the clipper may catch it, as with a real crash."""


def test_crash_after_create_in_process_yields_one_clip(standin, own_db, tmp_path):
    [channel] = live(standin)
    clip_row = detect(own_db, channel)

    async def crash(*_):
        raise SimulatedCrash

    first = service(standin, own_db, tmp_path, after_create=crash)
    with pytest.raises(SimulatedCrash):
        asyncio.run(run_until(first, lambda: False, timeout=30))
    crashed = row(own_db, clip_row)
    assert crashed["status"] == "creating" and crashed["clip_id"] is None
    assert len(standin.clips()) == 1

    asyncio.run(run_until(service(standin, own_db, tmp_path), finished(own_db, clip_row)))
    done = row(own_db, clip_row)
    [clip] = standin.clips()
    assert done["status"] == "completed" and done["clip_id"] == clip["id"]
    assert len(standin.creates()) == 1


class KillingStandIn(RecordingStandIn):
    """Kills the caller (SIGKILL) after making its clip and before answering: the clipper
    process dies holding a 202 it never saw."""

    victim: int | None = None

    def build_app(self) -> web.Application:
        app = super().build_app()

        @web.middleware
        async def kill(request: web.Request, handler) -> web.StreamResponse:
            response = await handler(request)
            if (request.method, request.path) == ("POST", "/helix/clips") and self.victim:
                os.kill(self.victim, signal.SIGKILL)
                self.victim = None
            return response

        app.middlewares.append(kill)
        return app


def clipper_process(server: TwitchStandIn, dsn: str, folder) -> subprocess.Popen:
    env = {**os.environ, "CHATLAKE_STATE_DIR": str(folder), "CHATLAKE_POSTGRES_DSN": dsn,
           "CHATLAKE_TWITCH_STANDIN_URL": server.base_url, "CHATLAKE_METRICS_CLIPPER_PORT": "0",
           "CHATLAKE_CLIPPER_READ_AFTER_S": "1", "CHATLAKE_CLIPPER_POLL_INTERVAL_S": "0.2",
           "CHATLAKE_CLIPPER_WORKER_ID": "crash-test"}
    return subprocess.Popen([sys.executable, "-m", "chatlake.cli", "clipper"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def wait_for(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_sigkill_between_create_and_record_yields_one_clip(own_db, tmp_path):
    server = KillingStandIn(clip_delay_s=0.5).start_in_thread()
    try:
        [channel] = live(server)
        seeded_store(server, tmp_path)
        first = clipper_process(server, own_db, tmp_path)
        server.victim = first.pid
        clip_row = detect(own_db, channel)
        assert first.wait(timeout=60) == -signal.SIGKILL
        assert row(own_db, clip_row)["status"] == "creating"
        assert len(server.clips()) == 1

        second = clipper_process(server, own_db, tmp_path)
        try:
            wait_for(finished(own_db, clip_row))
        finally:
            second.send_signal(signal.SIGTERM)
            output = second.communicate(timeout=30)[0]
        assert second.returncode == 0, output
        done = row(own_db, clip_row)
        [clip] = server.clips()
        assert done["status"] == "completed" and done["clip_id"] == clip["id"], output
        assert len(server.creates()) == 1
    finally:
        server.stop_thread()


def run_cli(folder, dsn: str, standin_url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "CHATLAKE_STATE_DIR": str(folder), "CHATLAKE_POSTGRES_DSN": dsn,
           "CHATLAKE_TWITCH_STANDIN_URL": standin_url, "CHATLAKE_METRICS_CLIPPER_PORT": "0"}
    return subprocess.run([sys.executable, "-m", "chatlake.cli", "clipper"], env=env,
                          capture_output=True, text=True, timeout=60)


def test_missing_token_exits_before_doing_anything(standin, own_db, tmp_path):
    [channel] = live(standin)
    clip_row = detect(own_db, channel)
    result = run_cli(tmp_path, own_db, standin.base_url)
    assert result.returncode == 2
    assert "no Twitch token" in result.stderr and "chatlake auth seed" in result.stderr
    assert row(own_db, clip_row)["status"] == "pending"
    assert standin.requests == []


def test_invalid_token_exits_with_a_clear_message(standin, own_db, tmp_path):
    [channel] = live(standin)
    token = seeded_store(standin, tmp_path).load()
    standin.expire_token(token.access_token)
    # The refresh token dies too: rotate it away by refreshing once behind the store's back.
    asyncio.run(_refresh(standin, token.refresh_token))
    clip_row = detect(own_db, channel)
    result = run_cli(tmp_path, own_db, standin.base_url)
    assert result.returncode == 2, result.stderr
    assert "auth seed" in result.stderr
    assert token.access_token not in result.stderr + result.stdout
    assert token.refresh_token not in result.stderr + result.stdout
    assert row(own_db, clip_row)["status"] == "pending"
    assert not [r for r in standin.requests if r[1] == "/helix/clips"]
    with psycopg.connect(own_db) as conn:
        assert conn.execute("select count(*) from clips where claimed_by is not null"
                            ).fetchone() == (0,)


async def _refresh(server: TwitchStandIn, refresh_token: str) -> None:
    from twitch.helix import HelixClient, HelixEndpoint

    endpoint = HelixEndpoint(server.helix_url, server.auth_url, server.client_id,
                             server.client_secret)
    async with HelixClient(endpoint) as helix:
        await helix.refresh(refresh_token)
