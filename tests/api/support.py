"""Test data for the API and the browser tests: real chat in a lake, clips and an emote set in
PostgreSQL. Shared by tests/api and tests/e2e."""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import psycopg
import pytest
import uvicorn

from api.app import create_app
from api.emote_sets import read_7tv, store_snapshot
from core.settings import Settings
from ingest.chat_import import import_to_lake
from ingest.importers import ImportOptions
from tests.support import free_port, shared_data_dir
from warehouse.lake_store import LakeStore
from warehouse.postgres import apply_migrations

SHARED_DATA = shared_data_dir()
NYMN_IRC = SHARED_DATA / "irc" / "nymn_recent.irc"
NYMN_7TV = SHARED_DATA / "irc" / "7tv_nymn.json"
LIRIK_VOD = SHARED_DATA / "vod" / "lirik" / "lirik_389178879.chat.json.gz"
NYMN_ID, LIRIK_ID = "62300805", "23161357"
# The nymn chat runs 2024-01-06 16:19:44-16:27:15 UTC; the 7TV snapshot is of that time.
NYMN_SNAPSHOT_AT = datetime(2024, 1, 6, 16, 19, tzinfo=UTC)
NYMN_DETECTION_AT = datetime(2024, 1, 6, 16, 23, 30, tzinfo=UTC)
RECENT_CLIPS = 24


def require_shared_data() -> None:
    for path in (NYMN_IRC, NYMN_7TV, LIRIK_VOD):
        if not path.is_file():
            pytest.skip(f"the shared chat data is absent ({path}); these tests need real chat")


def build_lake(lake: Path) -> dict[str, int]:
    """Import the nymn IRC log and the lirik VOD; returns messages per file name."""
    store = LakeStore(str(lake))
    return {
        path.name: import_to_lake(path, ImportOptions(), store).messages
        for path in (NYMN_IRC, LIRIK_VOD)
    }


def clip_id(n: int) -> str:
    return f"ChatlakeTestClip{n:02d}-aBcD"


def seed_postgres(dsn: str, now: datetime) -> None:
    """Streamers, the nymn 7TV set, RECENT_CLIPS completed clips in the last 7 days (newest is
    clip 0), a pending and a failed one, an old clip outside the week, and a detection inside
    the nymn chat. Idempotent."""
    with psycopg.connect(dsn) as conn:
        conn.execute("delete from clips")
        conn.execute("delete from channel_emotes")
        conn.execute("delete from streamers")
        conn.execute(
            "insert into streamers (broadcaster_id, streamer_login) values (%s, 'nymn'),"
            " (%s, 'lirik')",
            [NYMN_ID, LIRIK_ID],
        )
        store_snapshot(conn, NYMN_ID, read_7tv(NYMN_7TV), NYMN_SNAPSHOT_AT)
        rows = []
        for n in range(RECENT_CLIPS):
            at = now - timedelta(hours=6 * n + 1)
            rows.append((NYMN_ID if n % 3 else LIRIK_ID, clip_id(n), at, "completed", 40 + n))
        rows.append((NYMN_ID, None, now - timedelta(minutes=5), "pending", 30))
        rows.append((LIRIK_ID, None, now - timedelta(hours=2), "failed", 31))
        rows.append((NYMN_ID, "ChatlakeOldClip-xyz", now - timedelta(days=9), "completed", 50))
        rows.append((NYMN_ID, "ChatlakeNymnClip-xyz", NYMN_DETECTION_AT, "completed", 77))
        for broadcaster_id, clip, at, status, count in rows:
            done = status == "completed"
            conn.execute(
                """
                insert into clips (broadcaster_id, clip_id, embed_url, thumbnail_url, title,
                                   detected_at, created_at, window_start, window_end,
                                   message_count, status, completed_at, baseline_mean,
                                   baseline_std)
                values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
                """,
                [
                    broadcaster_id,
                    clip,
                    f"https://clips.twitch.tv/embed?clip={clip}" if done else None,
                    f"https://clips-media-assets2.twitch.tv/{clip}-preview-480x272.jpg"
                    if done
                    else None,
                    f"chat spike ({count} messages)" if done else None,
                    at,
                    at + timedelta(seconds=10) if done else None,
                    at - timedelta(seconds=5),
                    at,
                    count,
                    status,
                    at + timedelta(seconds=25) if done else None,
                    # Strength (count - mean) / std not in time order; the old clip has none.
                    None if clip == "ChatlakeOldClip-xyz" else 20.0,
                    None if clip == "ChatlakeOldClip-xyz" else 1.0 + count % 5,
                ],
            )


# ---------- the app on a real socket, for tools that need one (schemathesis, the browser) ----


@contextmanager
def live_server(settings: Settings) -> Iterator[str]:
    """Yields the base URL (http://127.0.0.1:PORT) once /health answers; stops it after."""
    port = free_port()
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=port, log_level="warning", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="api-live-server", daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline or not thread.is_alive():
            server.should_exit = True
            raise RuntimeError("the API did not start within 20 s")
        time.sleep(0.05)
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def with_broker(settings: Settings, servers: str) -> Settings:
    """The same settings reading Kafka at `servers` (for the live chat feed)."""
    return Settings(**{**settings.model_dump(), "kafka": {"bootstrap_servers": servers}})


def fresh_database(server_dsn: str, name: str) -> str:
    """DSN of a new, migrated database `name` on the test server (dropped first if there)."""
    with psycopg.connect(server_dsn, autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}"')  # a fixed name, never user input
        conn.execute(f'create database "{name}"')
    dsn = psycopg.conninfo.make_conninfo(server_dsn, dbname=name)
    apply_migrations(dsn)
    return dsn
