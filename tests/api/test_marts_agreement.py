"""One truth: every number the API serves that a mart also holds equals the mart.

The lake gets the real chat imported twice (the second import stores nothing), the nymn log
replayed through a real Kafka broker and archived (every nymn message twice in the lake) and
the lirik VOD's comments (not live chat); the marts are built with dbt; then the API's series
are compared with the marts read directly. Newer chat that the marts have not picked up is
served from the lake with the same rules, and a rebuild does not change the answer. Requests
during a build never fail and each answer comes from one build.
"""

import asyncio
import threading
from datetime import UTC, datetime

import anyio
import duckdb
import pytest
from chatlake_contracts.chat import chat_message
from litestar.testing import AsyncTestClient

from api.app import create_app
from core.settings import Settings
from ingest.chat_import import import_to_kafka, import_to_lake
from ingest.importers import ImportOptions
from tests.api.support import LIRIK_ID, LIRIK_VOD, NYMN_ID, NYMN_IRC, require_shared_data
from tests.support import private_broker, reachable_tmp_dir
from tests.warehouse.support import archive_until, encoded, produce
from warehouse.lake_store import LakeStore
from warehouse.marts_build import build_marts, plan_build, run_dbt_subprocess
from warehouse.marts_file import MartsFile

pytestmark = [pytest.mark.anyio, pytest.mark.integration, pytest.mark.slow]

NYMN_RANGE = ("2024-01-06T16:19:00Z", "2024-01-06T16:30:00Z")
LIRIK_RANGE = ("2019-03-02T17:00:00Z", "2019-03-03T02:00:00Z")
LIRIK_HOUR = ("2019-03-02T20:00:00Z", "2019-03-02T21:00:00Z")
STEP = {"1s": 1, "5s": 5, "30s": 30, "1m": 60, "5m": 300, "1h": 3600}
# Live chat after the nymn log ends (16:27:15), archived after the first build.
LATE_START_MS = int(datetime(2024, 1, 6, 16, 27, 30, tzinfo=UTC).timestamp() * 1000)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def world(postgres_server):
    """(settings, lake, marts file, broker) over the real chat, marts built once."""
    require_shared_data()
    root = reachable_tmp_dir("chatlake-agreement-")
    lake = LakeStore(str(root / "lake"))
    for _ in range(2):
        for path in (NYMN_IRC, LIRIK_VOD):
            import_to_lake(path, ImportOptions(), lake)
    with private_broker() as servers:
        asyncio.run(import_to_kafka(NYMN_IRC, ImportOptions(), servers, lake=lake, again=True))
        archive_until(servers, lake, 798)
        marts = MartsFile(root / "state" / "warehouse.duckdb")
        build_marts(lake, marts, plan_build(lake, marts), run_dbt_subprocess)
        settings = Settings(postgres={"dsn": postgres_server}, lake={"uri": lake.uri},
                            state_dir=root / "state")
        yield settings, lake, marts, servers


def lake_rows(lake: LakeStore, sql: str) -> list[tuple]:
    from warehouse.catalog import connect

    with connect(lake) as con:
        return con.execute(sql).fetchall()


def marts_rows(marts: MartsFile, sql: str, params: list) -> list[tuple]:
    with duckdb.connect(str(marts.path), read_only=True) as con:
        return con.execute(sql, params).fetchall()


def nonzero(t: list[int], *series: list[int]) -> dict[int, tuple]:
    """The buckets where any series is not zero: the marts hold no row for empty ones."""
    buckets = {}
    for at, *values in zip(t, *series, strict=True):
        if any(values):
            buckets[at] = tuple(values)
    return buckets


def epoch(bucket_start: datetime) -> int:
    return int(bucket_start.replace(tzinfo=UTC).timestamp())


async def get(client: AsyncTestClient, path: str, **params) -> dict:
    response = await client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def mart_activity(marts: MartsFile, channel: str, interval: str) -> dict[int, tuple]:
    rows = marts_rows(marts, "select bucket_start_at, messages, chatters from "
                      "marts.channel_activity where broadcaster_id = ? and bucket_size = ?",
                      [channel, interval])
    return {epoch(at): (messages, chatters) for at, messages, chatters in rows}


def in_range(buckets: dict[int, tuple], start: str, end: str) -> dict[int, tuple]:
    low, high = (int(datetime.fromisoformat(b).timestamp()) for b in (start, end))
    return {t: v for t, v in buckets.items() if low <= t < high}


def test_the_lake_holds_duplicates_and_vod_comments(world):
    _, lake, _, _ = world
    (copies,) = lake_rows(lake, f"select count(*) - count(distinct message_id) from "
                                f"chat_messages where broadcaster_id = '{NYMN_ID}'")[0]
    assert copies == 798  # every nymn message twice: imported, and replayed through Kafka
    (vod_comments,) = lake_rows(lake, "select count(*) from chat_messages where is_vod_comment")[0]
    assert vod_comments == 134


@pytest.mark.parametrize(("channel", "interval", "bounds"), [
    (NYMN_ID, "1s", NYMN_RANGE), (NYMN_ID, "5s", NYMN_RANGE), (NYMN_ID, "30s", NYMN_RANGE),
    (LIRIK_ID, "1s", LIRIK_HOUR), (LIRIK_ID, "1m", LIRIK_RANGE), (LIRIK_ID, "5m", LIRIK_RANGE),
    (LIRIK_ID, "1h", LIRIK_RANGE),
])
async def test_messages_and_chatters_per_bucket_equal_the_mart(world, channel, interval, bounds):
    settings, _, marts, _ = world
    async with AsyncTestClient(app=create_app(settings)) as client:
        body = await get(client, f"/v1.0/channels/{channel}/activity", interval=interval,
                         start=bounds[0], end=bounds[1])
    served = nonzero(body["t"], body["messages"], body["chatters"])
    assert served == in_range(mart_activity(marts, channel, interval), *bounds)
    assert served, "the range holds chat"
    assert body["freshness"]["marts_built_at"] is not None


async def test_channel_message_counts_equal_the_channels_mart(world):
    settings, _, marts, _ = world
    async with AsyncTestClient(app=create_app(settings)) as client:
        channels = (await get(client, "/v1.0/channels"))["channels"]
    counts = {c["broadcaster_id"]: c["message_count"] for c in channels}
    mart = dict(marts_rows(marts, "select broadcaster_id, live_messages from marts.channels", []))
    assert counts[NYMN_ID] == mart[NYMN_ID]
    assert counts[LIRIK_ID] == mart[LIRIK_ID] == 72_314  # live chat once, no VOD comments


async def test_new_chatters_per_hour_equal_the_chatters_mart(world):
    settings, _, marts, _ = world
    async with AsyncTestClient(app=create_app(settings)) as client:
        body = await get(client, f"/v1.0/channels/{LIRIK_ID}/chatters", interval="1h",
                         start=LIRIK_RANGE[0], end=LIRIK_RANGE[1])
    rows = marts_rows(marts, "select period_start_at, active_chatters, new_chatters from "
                      "marts.channel_chatters where broadcaster_id = ? and grain = 'hour'",
                      [LIRIK_ID])
    mart = {epoch(at): (active, new) for at, active, new in rows}
    assert nonzero(body["t"], body["active"], body["new"]) == in_range(mart, *LIRIK_RANGE)
    (chatters,) = marts_rows(marts, "select count(*) from intermediate."
                             "int_channel_chatters_aggregated where broadcaster_id = ?",
                             [LIRIK_ID])[0]
    # One broadcast: every chatter of the range is new to the channel in it.
    assert sum(body["new"]) == body["distinct_chatters"] == chatters


async def test_emote_uses_per_interval_equal_the_emote_usage_mart(world):
    settings, _, marts, _ = world
    async with AsyncTestClient(app=create_app(settings)) as client:
        top = (await get(client, f"/v1.0/channels/{LIRIK_ID}/emotes", limit=5,
                         start=LIRIK_RANGE[0], end=LIRIK_RANGE[1]))["emotes"]
        assert len(top) == 5
        for emote in top:
            for interval in ("1m", "1h"):
                body = await get(client, f"/v1.0/channels/{LIRIK_ID}/emotes/usage",
                                 emote=emote["name"], interval=interval,
                                 start=LIRIK_RANGE[0], end=LIRIK_RANGE[1])
                rows = marts_rows(
                    marts, "select bucket_start_at, sum(uses)::bigint from marts.emote_usage "
                    "where broadcaster_id = ? and bucket_size = ? and emote_name = ? "
                    "group by 1", [LIRIK_ID, interval, emote["name"]])
                mart = {epoch(at): (uses,) for at, uses in rows}
                assert nonzero(body["t"], body["uses"]) == in_range(mart, *LIRIK_RANGE)
                assert body["total"] == emote["uses"]


def late_live_chat() -> list[dict]:
    """40 live messages after the log's end, of 8 chatters, one a Twitch emote; 3 VOD
    comments (not live chat)."""
    records = [chat_message(
        message_id=f"late-{n}", broadcaster_id=NYMN_ID, timestamp=LATE_START_MS + n * 1700,
        text="late Kappa" if n % 4 == 0 else f"late {n}", source="eventsub",
        user_id=f"late-user-{n % 8}", user_name=f"late_user_{n % 8}",
        emotes=[{"emote_id": "25", "begin": 5, "end": 10}] if n % 4 == 0 else [])
        for n in range(40)]
    comments = [chat_message(
        message_id=f"late-comment-{n}", broadcaster_id=NYMN_ID,
        timestamp=LATE_START_MS + n * 1000, text="a comment", source="twitchdownloader",
        user_id="late-user-0", is_vod_comment=True) for n in range(3)]
    return records + comments


async def test_newer_chat_is_served_by_the_same_rules_before_and_after_a_build(world):
    settings, lake, marts, servers = world
    late = late_live_chat()
    # Every late message twice (a replay), the VOD comments once.
    # Through Kafka as live chat arrives: the producer and the archiver run their own loops.
    await anyio.to_thread.run_sync(
        lambda: produce(servers, "chat-messages", encoded(late + late[:40])))
    # The fixture's archiver group again: it resumes after the replay, at the late chat.
    archived = await anyio.to_thread.run_sync(lambda: archive_until(servers, lake, 83))
    assert archived.archived == 83
    queries = [("activity", "1s"), ("activity", "30s"), ("chatters", "1m"), ("chatters", "1s")]

    async def answers() -> dict[tuple[str, str], dict]:
        async with AsyncTestClient(app=create_app(settings)) as client:
            return {(what, interval): await get(
                client, f"/v1.0/channels/{NYMN_ID}/{what}", interval=interval,
                start=NYMN_RANGE[0], end=NYMN_RANGE[1]) for what, interval in queries}

    before = await answers()
    first_build = before[("activity", "1s")]["freshness"]["marts_built_at"]
    assert sum(before[("activity", "1s")]["messages"]) == 798 + 40
    build = build_marts(lake, marts, plan_build(lake, marts), run_dbt_subprocess)
    assert build is not None and build.days == (datetime(2024, 1, 6).date(),)
    after = await answers()
    assert after[("activity", "1s")]["freshness"]["marts_built_at"] != first_build
    for key in queries:
        for field in ("messages", "chatters", "active", "new", "distinct_chatters"):
            if field in before[key]:
                assert after[key][field] == before[key][field], (key, field)
    served = nonzero(after[("activity", "30s")]["t"], after[("activity", "30s")]["messages"],
                     after[("activity", "30s")]["chatters"])
    assert served == in_range(mart_activity(marts, NYMN_ID, "30s"), *NYMN_RANGE)


async def test_requests_during_a_build_never_fail_and_see_one_build(world):
    settings, lake, marts, _ = world
    expected_messages = None
    builds_seen: set[str] = set()
    done = threading.Event()

    def rebuild() -> None:
        try:
            build_marts(lake, marts, plan_build(lake, marts, full=True), run_dbt_subprocess)
        finally:
            done.set()

    async with AsyncTestClient(app=create_app(settings)) as client:

        async def ask() -> int:
            nonlocal expected_messages
            bodies = await asyncio.gather(*(get(
                client, f"/v1.0/channels/{LIRIK_ID}/activity", interval="5m",
                start=LIRIK_RANGE[0], end=LIRIK_RANGE[1]) for _ in range(4)))
            for body in bodies:
                expected_messages = expected_messages or body["messages"]
                assert body["messages"] == expected_messages
                builds_seen.add(body["freshness"]["marts_built_at"])
            return len(bodies)

        answered = await ask()  # before the build starts: the published build
        builder = threading.Thread(target=rebuild)
        builder.start()
        while not done.is_set():
            answered += await ask()
        builder.join()
        answered += await ask()  # after the swap: the new build
    assert answered >= 8
    # The first answers came from the build before, the last from the new one.
    assert len(builds_seen) >= 2, builds_seen


async def test_the_heatmap_counts_each_live_message_once_by_weekday_and_hour(world):
    settings, lake, _, _ = world
    async with AsyncTestClient(app=create_app(settings)) as client:
        body = await get(client, f"/v1.0/channels/{LIRIK_ID}/heatmap")
    rows = lake_rows(lake, f"""
        select isodow(t) - 1, hour(t), count(distinct message_id) from (
            select message_id, timezone('UTC', "timestamp") as t from chat_messages
            where broadcaster_id = '{LIRIK_ID}' and not coalesce(is_vod_comment, false))
        group by all""")
    expected = [[0] * 24 for _ in range(7)]
    for weekday, hour, count in rows:
        expected[weekday][hour] = count
    assert body["messages"] == expected
    assert sum(map(sum, body["messages"])) == 72_314
    # One broadcast, Saturday 17:00 to Sunday 02:00 UTC: one observed hour per busy cell.
    assert all(h == (m > 0) for hours, messages in zip(body["hours_with_chat"], expected,
                                                         strict=True)
               for h, m in zip(hours, messages, strict=True))
    assert body["freshness"]["marts_built_at"] is not None


async def test_streams_list_the_participation_mart_newest_first(world):
    settings, _, marts, _ = world
    async with AsyncTestClient(app=create_app(settings)) as client:
        body = await get(client, f"/v1.0/channels/{LIRIK_ID}/streams")
        unknown = await client.get("/v1.0/channels/no-such-channel/streams")
        too_many = await client.get(f"/v1.0/channels/{LIRIK_ID}/streams", params={"limit": 0})
    assert unknown.status_code == 404 and too_many.status_code == 400
    mart = marts_rows(marts, "select stream_id, messages, active_chatters, new_chatters"
                      " from marts.stream_participation where broadcaster_id = ?"
                      " order by stream_number desc", [LIRIK_ID])
    served = [(s["stream_id"], s["messages"], s["active_chatters"], s["new_chatters"])
              for s in body["streams"]]
    assert served == mart and served
    assert sum(messages for _, messages, _, _ in served) == 72_314
