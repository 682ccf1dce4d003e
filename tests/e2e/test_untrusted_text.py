"""Chat text, user names, a stream's title and game, a clip's title and a tuning run carrying
markup and script URLs (the chat imported through the real importer into a lake of its own,
the stream polled by the real monitor from the stand-in, the rest stored in PostgreSQL) reach
the page as text: nothing executes and every string is shown literally."""

import asyncio
import json
import subprocess
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from core.settings import Settings
from ingest.chat_import import import_to_lake
from ingest.importers import ImportOptions
from ingest.monitor import MonitorConfig, monitor_cycle
from ingest.monitor.cycle import kafka_publisher
from tests.api.support import fresh_database, live_server
from tests.e2e.test_web_ui import HERE, ensure_playwright
from tests.ingest.monitor.test_cycle import endpoint
from tests.support import private_broker, reachable_tmp_dir
from twitch.helix import HelixClient
from warehouse.lake_store import LakeStore

pytestmark = [pytest.mark.slow, pytest.mark.integration]
CHANNEL_ID, CHANNEL = "990001", "xss_channel"
HOSTILE_USERS = ("<script>alert('user')</script>", "<img/src=x/onerror=alert('name')>")
HOSTILE_TEXTS = ("<img src=x onerror=alert('chat')>", "<script>alert('chat')</script>",
                 "javascript:alert('chat')", '"><svg onload=alert(1)>')
TUNING_SOURCE = "files: <img src=x onerror=alert('source')>.json"
STREAM_TITLE = "<script>alert('stream')</script> javascript:alert('stream')"
STREAM_GAME = "<img src=x onerror=alert('game')>"
PLOT_VIDEO = "<b>v1</b>"
CLIP_TITLE = "<img src=x onerror=alert('title')> javascript:alert('title')"


@pytest.fixture
def hostile_site(postgres_server, twitch_standin, tmp_path):
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
        seed_tuning_run(conn)
    # The stream's title and game come the way the monitor takes them: a Get Streams poll.
    # A broker of its own: the shared one's lifecycle topic would keep an online event that
    # later ingest tests follow.
    with private_broker() as servers:
        poll_hostile_stream(twitch_standin, servers, dsn, moment - timedelta(hours=1))
    settings = Settings(postgres={"dsn": dsn}, lake={"uri": str(root / "lake")},
                        state_dir=root / "state")
    with live_server(settings) as base:
        yield base


def poll_hostile_stream(standin, kafka_servers: str, dsn: str, started: datetime) -> None:
    """One monitor cycle against the stand-in, whose Get Streams lists the channel live with a
    hostile title and game: the monitor stores them in `streams`."""
    standin.set_streams([{"user_id": CHANNEL_ID, "user_login": CHANNEL, "game_name": STREAM_GAME,
                          "game_id": "1", "language": "en", "title": STREAM_TITLE,
                          "started_at": started.strftime("%Y-%m-%dT%H:%M:%SZ"),
                          "viewer_count": 1000}])

    async def cycle() -> None:
        async with HelixClient(endpoint(standin)) as helix, \
                kafka_publisher(kafka_servers) as publish:
            await monitor_cycle(helix, dsn, publish, MonitorConfig(top_n=10))

    asyncio.run(cycle())


def seed_tuning_run(conn: psycopg.Connection) -> None:
    """A tuning run of two parameter sets whose source names a file with markup in it."""
    conn.execute("insert into tuning_runs (run_id, source, labels, parameter_sets, chosen_rank)"
                 " values ('run-1', %s, 'labels.csv', 2, 1)", [TUNING_SOURCE])
    for rank, k, f1 in ((1, 3.0, 0.61), (2, 4.0, 0.48)):
        conn.execute(
            "insert into tuning_results (run_id, rank, params, is_applicable, is_chosen,"
            " train_precision, train_recall, train_f1, train_detections, train_per_hour, test_f1)"
            " values ('run-1', %s, %s, true, %s, 0.5, 0.7, %s, 40, 2.5, %s)",
            [rank, json.dumps({"signal": "<script>alert('param')</script>", "k": k,
                               "bucket_s": 5}), rank == 1, f1, f1 - 0.1])
    for video, detections in ((PLOT_VIDEO, [100.0, 400.0]), ("v2", [])):
        conn.execute(
            "insert into tuning_videos values ('run-1', %s, 'train', 5, %s, %s, %s, %s)",
            [video, [5.0 * n for n in range(1, 121)], [n % 7 for n in range(120)],
             json.dumps([[90.0, 110.0], [300.0, 330.0]]), detections])


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
    # The tuning table: the run's rows best first, the chosen one marked, markup as text.
    assert [row[0] for row in seen["tuningRows"]] == ["1", "2"]
    assert seen["tuningRows"][0][1] == "signal=<script>alert('param')</script> k=3 bucket_s=5"
    assert seen["tuningRows"][0][2] == "0.61" and seen["tuningRows"][0][-1] == "chosen"
    assert TUNING_SOURCE in seen["tuningRun"]
    # The backtest plot: the run's videos listed (ids as text), the first one drawn.
    assert seen["tuningVideos"] == [f"{PLOT_VIDEO} (train): 2 labels, 2 detections",
                                    "v2 (train): 2 labels, 0 detections"]
    plot = seen["tuningPlot"]
    assert (plot["video"], plot["labels"], plot["detections"]) == (PLOT_VIDEO, "2", "2")
    assert plot["points"] == "120"
    # The latest stream's title and game, shown as text beside the profile.
    assert seen["streamAbout"] == f"latest stream: {STREAM_TITLE} · {STREAM_GAME} · en"
