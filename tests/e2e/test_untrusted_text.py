"""Chat text, user names and a clip's title carrying markup and script URLs, imported through
the real importer into a lake of their own and stored in PostgreSQL, reach the page as text:
nothing executes and every string is shown literally."""

import json
import subprocess
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from core.settings import Settings
from ingest.chat_import import import_to_lake
from ingest.importers import ImportOptions
from tests.api.support import live_server
from tests.e2e.test_web_ui import HERE, ensure_playwright
from tests.support import reachable_tmp_dir
from warehouse.lake_store import LakeStore
from warehouse.postgres import apply_migrations

pytestmark = [pytest.mark.slow, pytest.mark.integration]
CHANNEL_ID, CHANNEL = "990001", "xss_channel"
HOSTILE_USERS = ("<script>alert('user')</script>", "<img/src=x/onerror=alert('name')>")
HOSTILE_TEXTS = ("<img src=x onerror=alert('chat')>", "<script>alert('chat')</script>",
                 "javascript:alert('chat')", '"><svg onload=alert(1)>')
CLIP_TITLE = "<img src=x onerror=alert('title')> javascript:alert('title')"


@pytest.fixture
def hostile_site(postgres_server, tmp_path):
    """The API over a lake with the hostile chat and a database with a clip in the middle of it."""
    moment = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    log = tmp_path / "hostile.txt"
    log.write_text("".join(
        f"{int(moment.timestamp()) - 10 + n} {HOSTILE_USERS[n % 2]}: {text}\n"
        for n, text in enumerate(HOSTILE_TEXTS)))
    root = reachable_tmp_dir("chatlake-untrusted-")
    store = LakeStore(str(root / "lake"))
    imported = import_to_lake(log, ImportOptions(channel=CHANNEL, channel_id=CHANNEL_ID), store)
    assert imported.messages == len(HOSTILE_TEXTS)
    dsn = fresh_database(postgres_server, "chatlake_untrusted")
    with psycopg.connect(dsn) as conn:
        conn.execute("insert into streamers (broadcaster_id, streamer_login) values (%s, %s)",
                     [CHANNEL_ID, CHANNEL])
        conn.execute(
            """insert into clips (broadcaster_id, clip_id, embed_url, thumbnail_url, title,
                                  detected_at, created_at, window_start, window_end,
                                  message_count, status, completed_at)
               values (%s, %s, %s, %s, %s, %s, %s, %s, %s, 4, 'completed', %s)""",
            [CHANNEL_ID, "Hostile\"><script>alert(1)</script>", "javascript:alert('embed')",
             "javascript:alert('thumb')", CLIP_TITLE, moment, moment, moment - timedelta(seconds=5),
             moment, moment])
    settings = Settings(postgres={"dsn": dsn}, lake={"uri": str(root / "lake")},
                        state_dir=root / "state")
    with live_server(settings) as base:
        yield base


def fresh_database(server_dsn: str, name: str) -> str:
    with psycopg.connect(server_dsn, autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}"')  # a fixed name, never user input
        conn.execute(f'create database "{name}"')
    dsn = psycopg.conninfo.make_conninfo(server_dsn, dbname=name)
    apply_migrations(dsn)
    return dsn


def test_hostile_text_is_shown_literally_and_never_runs(hostile_site):
    ensure_playwright()
    run = subprocess.run(["node", str(HERE / "untrusted.mjs"), hostile_site, CHANNEL_ID],
                         capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr[-3000:]
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["dialogs"] == [] and seen["pageErrors"] == [], seen
    assert seen["cspViolations"] == [], seen["cspViolations"]
    assert seen["injected"]["images"] == 0 and seen["injected"]["scriptLinks"] == 0
    assert all(src and src.startswith("/static/") for src in seen["injected"]["scripts"])
    # The javascript: thumbnail was never asked for: the placeholder stands in.
    assert seen["thumbnails"] == ["/static/placeholder.svg"]
    # Every hostile string is on the page, literally.
    assert CLIP_TITLE in seen["clipTitles"][0]
    assert len(seen["chatLines"]) == len(HOSTILE_TEXTS)
    for n, (line, text) in enumerate(zip(seen["chatLines"], HOSTILE_TEXTS, strict=True)):
        assert text in line and HOSTILE_USERS[n % 2].lower() in line.lower(), (n, line)
