"""The monitor keeps what each stream is about (game, title, language from Get Streams of the
stand-in, real sockets): in the streams table (migration 0008) and in the online events."""

import asyncio

import orjson
import psycopg
import pytest
from chatlake_contracts.errors import RecordError
from chatlake_contracts.lifecycle import lifecycle_event, validate_lifecycle_event

from ingest.monitor import MonitorConfig, monitor_cycle
from ingest.monitor.cycle import kafka_publisher
from tests.ingest.monitor.test_cycle import endpoint
from tests.standin.support import consume, unique_channels
from twitch.helix import HelixClient
from warehouse.lake import table_from_json_lines
from warehouse.lake_schema import STREAM_LIFECYCLE

pytestmark = pytest.mark.integration


def test_game_title_and_language_reach_the_table_and_the_events(twitch_standin, postgres_server,
                                                               kafka_broker):
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute("truncate monitor_follows, monitor_events")
    ids = unique_channels(3)
    about = {ids[0]: ("Dota 2", "29595", "ru", "<b>ti</b> qualifiers"),
             ids[1]: ("Just Chatting", "509658", "en", "morning"),
             ids[2]: ("Chess", "743", "de", "blitz")}
    started = "2026-12-03T08:00:00Z"

    async def run(scenes):
        async with HelixClient(endpoint(twitch_standin)) as helix, \
                kafka_publisher(kafka_broker) as publish:
            for games in scenes:
                twitch_standin.set_streams([
                    {"user_id": c, "user_login": f"login{c}", "game_name": games[c][0],
                     "game_id": games[c][1], "language": games[c][2], "title": games[c][3],
                     "started_at": started, "viewer_count": 1000 - i}
                    for i, c in enumerate(ids)])
                await monitor_cycle(helix, postgres_server, publish, MonitorConfig(top_n=10))

    later = {**about, ids[2]: ("Chess", "743", "de", "bullet now")}  # a new title mid-stream
    asyncio.run(run([about, later]))
    with psycopg.connect(postgres_server) as conn:
        rows = conn.execute(
            "select broadcaster_id, game_name, game_id, language, title from streams "
            "where broadcaster_id = any(%s)", [ids]).fetchall()
    assert {r[0]: r[1:] for r in rows} == later  # one row per broadcast, latest values
    # Both cycles announce every followed channel (joins, then re-announcements), in order
    # per channel: the first carries the first poll's values, the second the new title.
    events = asyncio.run(consume(kafka_broker, "stream-lifecycle",
                                 lambda key, value: value["broadcaster_id"] in set(ids),
                                 count=6))
    seen = {c: [] for c in ids}
    for _, value in events:
        seen[value["broadcaster_id"]].append(
            (value["game_name"], value["game_id"], value["language"], value["title"]))
    assert seen == {c: [about[c], later[c]] for c in ids}


def test_the_fields_are_optional_and_checked():
    old = {"v": 1, "event_type": "online", "broadcaster_id": "1", "broadcaster_login": "a",
           "rank": 1, "timestamp": 1_700_000_000_000, "reason": None}
    assert validate_lifecycle_event(dict(old)) == old  # events written before the fields
    new = lifecycle_event(event_type="online", broadcaster_id="1", broadcaster_login="a",
                          timestamp=1_700_000_000_000, game_name="Dota 2", language="en")
    assert validate_lifecycle_event(new)["game_name"] == "Dota 2"
    with pytest.raises(RecordError, match="'language' must be a string"):
        validate_lifecycle_event({**new, "language": 7})
    # The archiver reads such events into the lake's table (the new fields are not columns
    # there yet, see docs/communities.md).
    assert table_from_json_lines([orjson.dumps(new)], STREAM_LIFECYCLE).num_rows == 1
