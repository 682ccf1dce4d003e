"""Monitor cycles against the stand-in (real aiohttp over sockets), Tansu and PostgreSQL."""

import asyncio
import urllib.request

import psycopg
import pytest

from core import metrics
from ingest.monitor import MonitorConfig, MonitorRules, monitor_cycle
from ingest.monitor import metrics as monitor_metrics
from ingest.monitor.cycle import kafka_publisher
from tests.standin.support import consume, unique_channels
from twitch.helix import HelixClient, HelixEndpoint

pytestmark = pytest.mark.integration


@pytest.fixture
def monitor_db(postgres_server):
    """The session database with no monitor state (other tests leave theirs)."""
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute("truncate monitor_follows, monitor_events")
    return postgres_server


def endpoint(standin) -> HelixEndpoint:
    return HelixEndpoint(standin.helix_url, standin.auth_url, standin.client_id,
                         standin.client_secret)


def streams(ids: list[str]) -> list[dict]:
    return [{"user_id": c, "user_login": f"login{c}"} for c in ids]


async def cycles(standin, dsn, servers, scenes, config):
    """Set each scene (ids in ranking order, page overlap) and run one cycle per scene."""
    reports = []
    async with HelixClient(endpoint(standin)) as helix, kafka_publisher(servers) as publish:
        for ids, overlap in scenes:
            standin.set_streams(streams(ids), page_overlap=overlap)
            reports.append(await monitor_cycle(helix, dsn, publish, config))
    return reports


def followed(dsn) -> dict[str, tuple[int | None, int]]:
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("select broadcaster_id, last_rank, missed_polls from monitor_follows")
        return {channel: (rank, missed) for channel, rank, missed in rows}


def test_hysteresis_over_cycles_and_events_in_kafka(twitch_standin, monitor_db, kafka_broker):
    ids = unique_channels(15)
    a = ids[0]
    rest = ids[1:]
    scenes = [(ids, 0)]  # a at rank 1: joined with the rest of the top 5
    for rank in (6, 8, 10):  # a slides to ranks 6-10: stays joined
        scenes.append(([*rest[:rank - 1], a, *rest[rank - 1:]], 0))
    scenes.append(([*rest[:10], a, *rest[10:]], 0))  # rank 11: left
    config = MonitorConfig(top_n=20, page_size=100)
    reports = asyncio.run(cycles(twitch_standin, monitor_db, kafka_broker, scenes, config))

    assert [t.broadcaster_id for t in reports[0].joins] == ids[:5]
    for report in reports[1:4]:
        assert a in {f.broadcaster_id for f in report.followed}
        assert a not in {t.broadcaster_id for t in report.leaves}
    [leave] = [t for t in reports[4].leaves if t.broadcaster_id == a]
    assert leave.rank == 11 and "top 10" in leave.reason
    assert a not in followed(monitor_db)
    assert monitor_metrics.MONITOR_FOLLOWED._value.get() == len(reports[4].followed)

    wanted = set(ids)
    records = asyncio.run(consume(kafka_broker, "stream-lifecycle",
                                  lambda key, value: value["broadcaster_id"] in wanted,
                                  count=sum(r.events_published for r in reports)))
    assert all(key.decode() == value["broadcaster_id"] for key, value in records)
    mine = [value for _, value in records if value["broadcaster_id"] == a]
    assert [v["event_type"] for v in mine] == ["online"] * 4 + ["offline"]
    assert mine[0]["reason"].startswith("entered the top 5")
    assert mine[-1]["rank"] == 11 and all(v["reason"] for v in mine)


def test_overlapping_pages_are_deduplicated(twitch_standin, monitor_db, kafka_broker):
    ids = unique_channels(12)
    config = MonitorConfig(top_n=12, page_size=4, rules=MonitorRules())
    [report] = asyncio.run(cycles(twitch_standin, monitor_db, kafka_broker, [(ids, 2)], config))
    assert report.duplicates > 0 and report.pages > 3
    assert report.live_polled == 12
    assert [f.broadcaster_id for f in report.followed] == ids[:5]
    assert [f.rank for f in report.followed] == [1, 2, 3, 4, 5]


def test_offline_after_missed_polls_and_forbidden_skipped(twitch_standin, monitor_db,
                                                          kafka_broker):
    ids = unique_channels(12)
    gone, forbidden = ids[0], ids[7]
    without = [c for c in ids if c != gone]
    with psycopg.connect(monitor_db) as conn:  # learned from an earlier Create Clip 403
        conn.execute("insert into streamers (broadcaster_id, streamer_login, allows_clipping)"
                     " values (%s, 'forbidden', false)", [forbidden])
    # forbidden rises to rank 2 once gone is offline
    rising = [without[0], forbidden] + [c for c in without[1:] if c != forbidden]
    config = MonitorConfig(rules=MonitorRules(offline_after_polls=3))
    scenes = [(ids, 0), (rising, 0), (rising, 0), (rising, 0)]
    reports = asyncio.run(cycles(twitch_standin, monitor_db, kafka_broker, scenes, config))
    assert reports[1].missing == [gone] and reports[2].missing == [gone]
    assert followed(monitor_db).get(gone) is None
    [leave] = reports[3].leaves
    assert leave.broadcaster_id == gone and leave.kind == "offline"
    assert forbidden in reports[1].forbidden_skipped
    assert all(forbidden != f.broadcaster_id for r in reports for f in r.followed)
    with psycopg.connect(monitor_db) as conn:
        reasons = conn.execute("select event_type, reason from monitor_events"
                               " where broadcaster_id = %s order by id", [gone]).fetchall()
    assert reasons[0][0] == "online" and reasons[-1] == ("offline",
                                                        "offline: missing from 3 polls in a row")


def test_metrics_endpoint_shows_followed_channels(twitch_standin, monitor_db, kafka_broker):
    ids = unique_channels(8)
    asyncio.run(cycles(twitch_standin, monitor_db, kafka_broker, [(ids, 0)], MonitorConfig()))
    server = metrics.serve("127.0.0.1", _free_port())
    try:
        with urllib.request.urlopen(server.url, timeout=5) as response:
            text = response.read().decode()
    finally:
        server.close()
    assert "chatlake_monitor_followed_channels 5.0" in text
    assert 'chatlake_monitor_transitions_total{event_type="online",kind="entered_top"}' in text


def _free_port() -> int:
    from tests.support import free_port

    return free_port()
