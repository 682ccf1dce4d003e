"""Streams and participation marts: on real chat imported with `chatlake import` (the lirik VOD
and two Dota 2 VODs of one channel) every per-stream figure equals a direct Python computation
over the lake read with pyarrow; on a synthetic channel with lifecycle events, an empty
broadcast and gap-split chat, regulars and come-back counts equal answers worked out by hand."""

import os
import subprocess
import sys
from dataclasses import fields
from datetime import UTC, datetime, timedelta

import duckdb
import pytest

from tests.dbt.participation_reference import StreamFigures, vod_stream_figures
from tests.dbt.support import dbt_build, failures, live_chat_rows
from warehouse.lake import table_from_records, to_lake_table
from warehouse.lake_schema import CHAT_MESSAGES, STREAM_LIFECYCLE
from warehouse.lake_store import LakeStore

pytestmark = [pytest.mark.integration, pytest.mark.slow]

LIRIK = ("vod", "lirik", "lirik_389178879.chat.json.gz")
# Two VODs of one channel on one day, 2 h apart, with wall-clock times (videos.csv).
DOTA2_VIDEOS = ("327153008", "327187716")
DOTA2_CHANNEL = "beyondthesummit"
# Regulars in both of the last two streams, so the Dota 2 channel's second stream has some.
REAL_VARS = {"participation_regular_min_streams": 2, "participation_regular_window_streams": 2}
TOP_K = 10  # the project default of participation_top_chatters


def chatlake_import(lake, state, path, *args):
    env = {**os.environ, "CHATLAKE_STATE_DIR": str(state), "CHATLAKE_LAKE_URI": str(lake)}
    result = subprocess.run([sys.executable, "-m", "chatlake.cli", "import", str(path), *args],
                            env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]


@pytest.fixture(scope="module")
def real_streams(shared_data, tmp_path_factory):
    lirik = shared_data.joinpath(*LIRIK)
    dota = [shared_data / "highlights" / "dota2" / f"{v}.chat.json.gz" for v in DOTA2_VIDEOS]
    for path in (lirik, *dota):
        if not path.is_file():
            pytest.skip(f"{path} is absent from the shared data; these tests need real chat")
    work = tmp_path_factory.mktemp("participation")
    lake, state = work / "lake", work / "state"
    state.mkdir()
    chatlake_import(lake, state, lirik)
    for path in dota:
        chatlake_import(lake, state, path, "--channel", DOTA2_CHANNEL)
    run = dbt_build(lake, work / "warehouse.duckdb", work, REAL_VARS)
    assert run.returncode == 0, failures(run) or run.output
    con = duckdb.connect(str(work / "warehouse.duckdb"), read_only=True)
    expected = vod_stream_figures(live_chat_rows(lake), min_streams=2, window=2, top_k=TOP_K)
    yield con, expected
    con.close()


def mart_rows(con, sql: str, *params) -> list[dict]:
    cursor = con.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def test_each_imported_vod_is_one_stream(real_streams):
    con, expected = real_streams
    streams = {r["stream_id"]: r for r in mart_rows(con, "select * from marts.streams")}
    assert set(streams) == set(expected) == {
        "vod:23161357:389178879", *(f"vod:{DOTA2_CHANNEL}:{v}" for v in DOTA2_VIDEOS)}
    for stream_id, figures in expected.items():
        got = streams[stream_id]
        assert got["source"] == "vod" and got["is_open"] is False
        assert (got["stream_number"], got["started_at"], got["ended_at"], got["messages"]) == (
            figures.stream_number, figures.started_at, figures.ended_at, figures.messages)
        assert got["duration_s"] == pytest.approx(figures.duration_s, abs=1e-6)
    assert expected["vod:23161357:389178879"].messages == 72_314  # live chat, no VOD comments


def test_every_participation_figure_matches_python(real_streams):
    con, expected = real_streams
    got = {r["stream_id"]: r for r in mart_rows(con, "select * from marts.stream_participation")}
    assert set(got) == set(expected)
    compared = [f.name for f in fields(StreamFigures)
                if f.name not in {"stream_id", "top_chatters"}]
    for stream_id, figures in expected.items():
        for name in compared:
            want = getattr(figures, name)
            if isinstance(want, float):
                assert got[stream_id][name] == pytest.approx(want), (stream_id, name)
            else:
                assert got[stream_id][name] == want, (stream_id, name)
    # The figures are not trivial: the second Dota 2 stream has returning chatters and regulars.
    second = expected[f"vod:{DOTA2_CHANNEL}:{DOTA2_VIDEOS[1]}"]
    assert 0 < second.regulars == second.returning_chatters < second.active_chatters
    first = expected[f"vod:{DOTA2_CHANNEL}:{DOTA2_VIDEOS[0]}"]
    assert first.chatters_in_next_stream == second.returning_chatters > 0


def test_top_chatters_match_python(real_streams):
    con, expected = real_streams
    for stream_id, figures in expected.items():
        rows = mart_rows(con, "select chatter_id, chatter_rank, messages, share_of_messages, "
                         "chatter_login, chatter_display_name from marts.stream_top_chatters "
                         "where stream_id = ? order by chatter_rank", stream_id)
        # Compared without pytest printing real ids or names on a failure.
        same = [(r["chatter_id"], r["messages"]) for r in rows] == figures.top_chatters
        assert same, f"{stream_id}: top-{TOP_K} chatters differ from Python's"
        assert [r["chatter_rank"] for r in rows] == list(range(1, TOP_K + 1))
        for row in rows:
            assert row["share_of_messages"] == pytest.approx(row["messages"] / figures.messages)
        named = sum(r["chatter_display_name"] is not None for r in rows)
        assert named == TOP_K, f"{stream_id}: {TOP_K - named} top chatters without a name"


def test_channel_participation_runs_over_each_channels_streams(real_streams):
    con, expected = real_streams
    rows = mart_rows(con, "select * from marts.channel_participation "
                     "where broadcaster_id = ? order by stream_number", DOTA2_CHANNEL)
    first, second = (expected[f"vod:{DOTA2_CHANNEL}:{v}"] for v in DOTA2_VIDEOS)
    assert [r["stream_number"] for r in rows] == [1, 2]
    assert [r["chatters_so_far"] for r in rows] == [
        first.new_chatters, first.new_chatters + second.new_chatters]
    assert rows[0]["come_back_rate"] == pytest.approx(
        first.chatters_in_next_stream / first.active_chatters)
    assert rows[1]["come_back_rate"] is None


# A synthetic channel: five streams, chatters a-f, worked out by hand (docstring of the test).
# Regulars: in 2 of the last 3 streams.
SYNTHETIC_VARS = {"participation_regular_min_streams": 2,
                  "participation_regular_window_streams": 3}
CHANNEL = "900"
DAY = datetime(2024, 3, 1, tzinfo=UTC)


def at(day: int, hour: int, minute: int) -> int:
    moment = DAY + timedelta(days=day - 1, hours=hour, minutes=minute)
    return int(moment.timestamp() * 1000)


def lifecycle(event_type: str, ms: int) -> dict:
    return {"v": 1, "event_type": event_type, "broadcaster_id": CHANNEL,
            "broadcaster_login": "synthetic", "rank": 1, "timestamp": ms, "reason": "test"}


def message(n: int, chatter: str, ms: int, is_vod_comment: bool = False) -> dict:
    return {"v": 1, "message_id": f"m{n}", "broadcaster_id": CHANNEL,
            "broadcaster_login": "synthetic", "timestamp": ms, "text": f"hello {n}",
            "user_id": f"user-{chatter}", "user_name": chatter, "user_display_name": chatter,
            "source": "synthetic", "is_vod_comment": is_vod_comment,
            "metadata": {"emotes": [], "badges": [], "is_subscriber": False, "is_mod": False,
                         "color": None}}


SYNTHETIC_EVENTS = [
    # Stream 1: re-announced online, a repeated offline.
    lifecycle("online", at(1, 10, 0)), lifecycle("online", at(1, 10, 2)),
    lifecycle("offline", at(1, 11, 0)), lifecycle("offline", at(1, 11, 2)),
    # Stream 2.
    lifecycle("online", at(2, 10, 0)), lifecycle("offline", at(2, 11, 0)),
    # Stream 5: a broadcast without chat.
    lifecycle("online", at(4, 10, 0)), lifecycle("offline", at(4, 10, 30)),
]
SYNTHETIC_CHAT = [
    # Stream 1 (lifecycle): a a a b c f
    ("a", at(1, 10, 5)), ("a", at(1, 10, 6)), ("a", at(1, 10, 7)), ("b", at(1, 10, 10)),
    ("c", at(1, 10, 20)), ("f", at(1, 10, 30)),
    # Stream 2 (lifecycle): a a b d
    ("a", at(2, 10, 5)), ("a", at(2, 10, 6)), ("b", at(2, 10, 7)), ("d", at(2, 10, 8)),
    # Stream 3 (gap, no lifecycle events): a b c d e, 10:00 to 10:20
    ("a", at(3, 10, 0)), ("b", at(3, 10, 5)), ("c", at(3, 10, 10)), ("d", at(3, 10, 15)),
    ("e", at(3, 10, 20)),
    # Stream 4 (gap): 40 minutes of silence later: a d f
    ("a", at(3, 11, 0)), ("d", at(3, 11, 5)), ("f", at(3, 11, 10)),
]


def test_regulars_and_come_back_on_a_synthetic_channel(tmp_path):
    """With regulars = 2 of the last 3 streams:
    stream 1 {a,b,c,f}: all new; no regulars; a and b come back in stream 2.
    stream 2 {a,b,d}: d new; a, b regulars (stream 1); a, b, d come back in stream 3.
    stream 3 {a,b,c,d,e}: e new; a, b, c (stream 1 is in the window), d regulars; a, d come back.
    stream 4 {a,d,f}: nobody new; a, d regulars; f is not (stream 1 has left the window); the
    empty stream 5 follows, so nobody comes back.
    stream 5 (no chat): zeros; no next stream, so come-back is unknown (null).
    A VOD comment from a chatter never seen live counts nowhere."""
    store = synthetic_lake(tmp_path)
    records = [message(n, chatter, ms) for n, (chatter, ms) in enumerate(SYNTHETIC_CHAT)]
    records.append(message(99, "z", at(3, 10, 12), is_vod_comment=True))
    append_chat(store, records)
    streams, channel, top = build_synthetic(tmp_path)

    def column(name):
        return [s[name] for s in streams]

    assert column("source") == ["lifecycle", "lifecycle", "gap", "gap", "lifecycle"]
    assert column("duration_s") == [3600, 3600, 1200, 600, 1800]
    assert column("messages") == [6, 4, 5, 3, 0]
    assert column("active_chatters") == [4, 3, 5, 3, 0]
    assert column("new_chatters") == [4, 1, 1, 0, 0]
    assert column("returning_chatters") == [0, 2, 4, 3, 0]
    assert column("regulars") == [0, 2, 4, 2, 0]
    assert column("chatters_in_next_stream") == [2, 3, 2, 0, None]
    assert column("max_messages_per_chatter") == [3, 2, 1, 1, None]
    assert [c["chatters_so_far"] for c in channel] == [4, 5, 6, 6, 6]
    assert [c["come_back_rate"] for c in channel] == [0.5, 1.0, 0.4, 0.0, None]
    assert [(t["chatter_id"], t["chatter_login"], t["messages"]) for t in top] == [
        ("user-a", "a", 3), ("user-b", "b", 1), ("user-c", "c", 1), ("user-f", "f", 1)]
    assert top[0]["share_of_messages"] == 0.5


def test_a_later_day_built_incrementally_extends_the_channels_streams(tmp_path):
    """Chat of a later day built with `days` (as the incremental marts are): a sixth stream
    {a, e} appears; a is a regular (streams 4 and 6 in the window 4-6), e is not (stream 3 has
    left it); the empty stream 5 now has a next stream, in which none of its (no) chatters
    are; earlier streams keep their figures."""
    store = synthetic_lake(tmp_path)
    append_chat(store, [message(n, chatter, ms) for n, (chatter, ms) in enumerate(SYNTHETIC_CHAT)])
    before, _, _ = build_synthetic(tmp_path)
    append_chat(store, [message(200, "a", at(5, 9, 0)), message(201, "e", at(5, 9, 1))])
    after, channel, _ = build_synthetic(tmp_path, days=["2024-03-05"])
    assert [s["stream_id"] for s in after[:5]] == [s["stream_id"] for s in before]
    assert after[:4] == before[:4]
    assert (after[4]["chatters_in_next_stream"], before[4]["chatters_in_next_stream"]) == (0, None)
    sixth = after[5]
    assert (sixth["source"], sixth["active_chatters"], sixth["new_chatters"],
            sixth["regulars"], sixth["chatters_in_next_stream"]) == ("gap", 2, 0, 1, None)
    assert channel[-1]["chatters_so_far"] == 6


def synthetic_lake(tmp_path) -> LakeStore:
    store = LakeStore(str(tmp_path / "lake"))
    store.append(STREAM_LIFECYCLE.name, to_lake_table(
        table_from_records(SYNTHETIC_EVENTS, STREAM_LIFECYCLE), STREAM_LIFECYCLE))
    return store


def append_chat(store: LakeStore, records: list[dict]) -> None:
    store.append(CHAT_MESSAGES.name, to_lake_table(
        table_from_records(records, CHAT_MESSAGES), CHAT_MESSAGES))


def build_synthetic(tmp_path, days: list[str] | None = None):
    """(stream_participation rows, channel_participation rows, stream 1's top chatters)."""
    extra = {**SYNTHETIC_VARS, **({"days": days} if days is not None else {})}
    run = dbt_build(tmp_path / "lake", tmp_path / "warehouse.duckdb", tmp_path, extra)
    assert run.returncode == 0, failures(run) or run.output
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True)
    try:
        streams = mart_rows(con, "select * from marts.stream_participation "
                            "order by stream_number")
        channel = mart_rows(con, "select * from marts.channel_participation "
                            "order by stream_number")
        top = mart_rows(con, "select chatter_id, chatter_login, messages, share_of_messages "
                        "from marts.stream_top_chatters where stream_id = ? "
                        "order by chatter_rank", streams[0]["stream_id"])
    finally:
        con.close()
    return streams, channel, top
