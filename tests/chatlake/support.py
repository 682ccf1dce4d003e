"""A small lake and PostgreSQL for exports and markers (the commands and the API): one
imported VOD, one recorded live stream, a marts file, detections and clips with hostile titles."""

import gzip
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import psycopg
from chatlake_contracts.lifecycle import lifecycle_event

from ingest.chat_import import import_to_lake
from ingest.importers import ImportOptions
from warehouse.lake import table_from_records, to_lake_table
from warehouse.lake_schema import STREAM_LIFECYCLE
from warehouse.lake_store import LakeStore

VOD_ID = "1900000001"
CHANNEL_ID, CHANNEL_LOGIN = "4242", "tester"
OTHER_ID = "777"
VOD_START = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
VOD_COMMENTS = 600  # one every 2 s: 20 minutes
HOSTILE = 'evil, "quoted"\r\n* LOC: 00:00:00:00 RED fake\nFCM: DROP FRAME'
LIVE_START = datetime(2024, 3, 2, 18, 0, tzinfo=UTC)
LIVE_END = LIVE_START + timedelta(hours=2)
# (offset into the VOD or live stream in s, status, clip id, title, message count)
VOD_DETECTIONS = [
    (125.0, "completed", "ClipOne-aaa", "first spike", 55),
    (600.0, "completed", "ClipTwo-bbb", HOSTILE, 71),
    (601.0, "pending", None, None, 40),
    (1100.0, "failed", None, None, 33),
]
LIVE_DETECTIONS = [(90.0, "completed", "LiveClip-ccc", "live spike", 60),
                   (3700.0, "pending", None, None, 44)]


def write_vod_chat(path: Path) -> Path:
    comments = [{
        "_id": f"c{i}", "created_at": None, "content_offset_seconds": i * 2.0,
        "commenter": {"display_name": f"User{i % 17}", "name": f"user{i % 17}",
                      "_id": str(1000 + i % 17)},
        "message": {"body": HOSTILE if i % 50 == 0 else f"hello {i}"},
    } for i in range(VOD_COMMENTS)]
    root = {"streamer": {"name": CHANNEL_LOGIN, "login": CHANNEL_LOGIN, "id": int(CHANNEL_ID)},
            "video": {"id": VOD_ID, "created_at": VOD_START.isoformat().replace("+00:00", "Z")},
            "comments": comments}
    path.write_bytes(gzip.compress(json.dumps(root).encode()))
    return path


def build_lake(root: Path) -> LakeStore:
    store = LakeStore(str(root / "lake"))
    import_to_lake(write_vod_chat(root / f"{VOD_ID}.chat.json.gz"), ImportOptions(), store)
    ms = int(LIVE_START.timestamp() * 1000)
    events = [
        lifecycle_event(event_type="online", broadcaster_id=CHANNEL_ID,
                        broadcaster_login=CHANNEL_LOGIN, timestamp=ms - 86_400_000),
        lifecycle_event(event_type="offline", broadcaster_id=CHANNEL_ID,
                        broadcaster_login=CHANNEL_LOGIN, timestamp=ms - 80_000_000),
        lifecycle_event(event_type="online", broadcaster_id=CHANNEL_ID,
                        broadcaster_login=CHANNEL_LOGIN, timestamp=ms),
        lifecycle_event(event_type="offline", broadcaster_id=CHANNEL_ID,
                        broadcaster_login=CHANNEL_LOGIN,
                        timestamp=int(LIVE_END.timestamp() * 1000)),
    ]
    table = to_lake_table(table_from_records(events, STREAM_LIFECYCLE), STREAM_LIFECYCLE)
    store.append(STREAM_LIFECYCLE.name, table)
    return store


def build_marts(path: Path) -> None:
    """A marts file of the shape dbt leaves (schema `marts`), small enough to check by hand."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute("""
            create table marts.channel_hourly_rollups as
            select * from (values
                ('4242', 'tester', timestamptz '2024-03-01 12:00:00+00', 300),
                ('4242', 'tester', timestamptz '2024-03-01 13:00:00+00', 10),
                ('777', 'other', timestamptz '2024-03-01 12:00:00+00', 5))
                as t(broadcaster_id, broadcaster_login, hour, messages)
        """)
        con.execute("create table marts.no_channel as select 1 as n")


def delete_detections(dsn: str) -> None:
    with psycopg.connect(dsn) as conn:
        conn.execute("delete from clips where broadcaster_id in (%s, %s)",
                     [CHANNEL_ID, OTHER_ID])


def seed_detections(dsn: str) -> None:
    delete_detections(dsn)
    rows = [(VOD_START + timedelta(seconds=s), *rest) for s, *rest in VOD_DETECTIONS]
    rows += [(LIVE_START + timedelta(seconds=s), *rest) for s, *rest in LIVE_DETECTIONS]
    with psycopg.connect(dsn) as conn:
        # Another channel's detection inside the VOD's time: never one of its markers.
        conn.execute("insert into clips (broadcaster_id, detected_at, window_start, window_end,"
                     " message_count, status) values (%s, %s, %s, %s, 99, 'pending')",
                     [OTHER_ID, VOD_START + timedelta(seconds=300),
                      VOD_START + timedelta(seconds=300), VOD_START + timedelta(seconds=305)])
        for window_start, status, clip, title, count in rows:
            conn.execute(
                "insert into clips (broadcaster_id, clip_id, title, detected_at, window_start,"
                " window_end, message_count, status) values (%s, %s, %s, %s, %s, %s, %s, %s)",
                [CHANNEL_ID, clip, title, window_start + timedelta(seconds=5), window_start,
                 window_start + timedelta(seconds=5), count, status])
