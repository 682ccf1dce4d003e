"""The dbt marts built over a lake of real chat (the nymn IRC log and the lirik VOD): the
numbers must agree with the lake read independently (pyarrow and Python, not SQL), an empty
lake must build, and Dagster must load and run the dbt assets."""

from collections import Counter, defaultdict

import dagster as dg
import duckdb
import numpy as np
import pytest

from core.settings import Settings
from ingest.chat_import import import_to_lake
from ingest.importers import ImportOptions
from tests.dbt.support import dbt_build, failures, live_chat_rows
from warehouse.lake import table_from_records, to_lake_table
from warehouse.lake_schema import CHAT_WINDOWS
from warehouse.lake_store import LakeStore

pytestmark = [pytest.mark.integration, pytest.mark.slow]

NYMN_ID, LIRIK_ID = "62300805", "23161357"
BUCKET_SIZES = {"1s", "5s", "30s", "1m", "5m", "1h"}


@pytest.fixture(scope="module")
def built(shared_data, tmp_path_factory):
    """(lake, warehouse connection, live chat rows): real chat imported, then `dbt build`."""
    nymn = shared_data / "irc" / "nymn_recent.irc"
    lirik = shared_data / "vod" / "lirik" / "lirik_389178879.chat.json.gz"
    for path in (nymn, lirik):
        if not path.is_file():
            pytest.skip(f"{path} is absent from the shared data; these tests need real chat")
    work = tmp_path_factory.mktemp("marts")
    lake = work / "lake"
    store = LakeStore(str(lake))
    for path in (nymn, lirik):
        import_to_lake(path, ImportOptions(), store)
    run = dbt_build(lake, work / "warehouse.duckdb", work)
    assert run.returncode == 0, failures(run) or run.output
    con = duckdb.connect(str(work / "warehouse.duckdb"), read_only=True)
    yield lake, con, live_chat_rows(lake), run
    con.close()


def scalar(con, sql: str):
    return con.execute(sql).fetchone()[0]


def test_every_model_unit_test_and_data_test_passes(built):
    _, _, _, run = built
    kinds = Counter(uid.split(".")[0] for uid in run.results)
    assert kinds["model"] == 34 and kinds["unit_test"] == 13 and kinds["test"] >= 80
    assert kinds["seed"] == 1
    assert failures(run) == []


def test_rollups_count_every_live_message_once(built):
    _, con, rows, _ = built
    live = len({r["message_id"] for r in rows})
    assert live == 798 + 72_314  # nymn's PRIVMSGs + lirik's live chat (VOD comments left out)
    assert scalar(con, "select sum(messages) from marts.channel_daily_rollups") == live
    assert scalar(con, "select sum(messages) from marts.channel_hourly_rollups") == live
    per_channel = Counter(r["broadcaster_id"] for r in rows)
    daily = dict(con.execute("select broadcaster_id, sum(messages)::int "
                             "from marts.channel_daily_rollups group by 1").fetchall())
    assert daily == dict(per_channel)


def test_emote_usage_sums_to_the_unnested_emotes_at_every_bucket_size(built):
    _, con, rows, _ = built
    emotes = [(r["text"], e) for r in rows for e in (r["metadata"]["emotes"] or [])]
    assert len(emotes) > 30_000
    # Twitch emotes by position (tests/dbt/test_every_emote.py checks the other kinds).
    sums = dict(con.execute("select bucket_size, sum(uses)::int from marts.emote_usage "
                            "where emote_provider = 'twitch' group by 1").fetchall())
    assert set(sums) == BUCKET_SIZES
    assert set(sums.values()) == {len(emotes)}
    # The emote text is cut by code points, as Python slices str.
    expected = Counter((e["emote_id"], text[e["begin"]:e["end"]]) for text, e in emotes)
    got = Counter(dict(((emote_id, text), n) for emote_id, text, n in con.execute(
        "select emote_id, emote_text, count(*) from intermediate.int_emote_uses_unnested "
        "group by all").fetchall()))
    assert got == expected
    # users never exceed uses, and a 1 s bucket never holds more uses than its messages' emotes.
    assert scalar(con, "select count(*) from marts.emote_usage where users > uses") == 0


def test_new_chatters_sum_to_each_channels_distinct_chatters(built):
    _, con, rows, _ = built
    chatters = defaultdict(set)
    for r in rows:
        chatters[r["broadcaster_id"]].add(r["chatter_id"])
    for grain in ("hour", "day"):
        new = dict(con.execute(
            "select broadcaster_id, sum(new_chatters)::int from marts.channel_chatters "
            "where grain = ? group by 1", [grain]).fetchall())
        assert new == {channel: len(ids) for channel, ids in chatters.items()}
    # nymn's 7.5 minutes sit inside one hour: everyone active there is new.
    assert con.execute("select active_chatters, new_chatters from marts.channel_chatters "
                       "where broadcaster_id = ? and grain = 'hour'", [NYMN_ID]).fetchall() \
        == [(len(chatters[NYMN_ID]), len(chatters[NYMN_ID]))]


def test_channel_overlap_is_symmetric_and_matches_python_sets(built):
    _, con, rows, _ = built
    chatters = defaultdict(set)
    for r in rows:
        chatters[r["broadcaster_id"]].add(r["chatter_id"])
    overlap = {(a, b): (shared, jaccard) for a, b, shared, jaccard in con.execute(
        "select broadcaster_id, other_broadcaster_id, shared_chatters, jaccard_index "
        "from marts.channel_overlap").fetchall()}
    assert set(overlap) == {(NYMN_ID, LIRIK_ID), (LIRIK_ID, NYMN_ID)}
    assert overlap[(NYMN_ID, LIRIK_ID)] == overlap[(LIRIK_ID, NYMN_ID)]
    a, b = chatters[NYMN_ID], chatters[LIRIK_ID]
    shared, jaccard = overlap[(NYMN_ID, LIRIK_ID)]
    assert shared == len(a & b)
    assert jaccard == pytest.approx(len(a & b) / len(a | b))


def test_baselines_match_numpy_percentiles_of_5_second_windows(built):
    _, con, rows, _ = built
    for channel in (NYMN_ID, LIRIK_ID):
        windows = Counter(int(r["timestamp"].timestamp() * 1000) // 5000 for r in rows
                          if r["broadcaster_id"] == channel and not r["text"].startswith("!"))
        counts = np.array(list(windows.values()))
        got = con.execute("select windows, median_messages_per_window, p95_messages_per_window "
                          "from marts.channel_baselines where broadcaster_id = ?",
                          [channel]).fetchone()
        assert got == pytest.approx((len(counts), np.percentile(counts, 50),
                                     np.percentile(counts, 95)))


def test_channels_and_daily_rollups_are_utc(built):
    _, con, _, _ = built
    days = [d.isoformat() for (d,) in con.execute(
        "select distinct day_start_at::date from marts.channel_daily_rollups "
        "where broadcaster_id = ? order by 1", [LIRIK_ID]).fetchall()]
    assert days == ["2019-03-02", "2019-03-03"]  # 17:04 to 01:02 UTC; VOD comments excluded
    assert scalar(con, "select count(*) from marts.channels") == 2
    assert con.execute("select vod_comments from marts.channels where broadcaster_id = ?",
                       [LIRIK_ID]).fetchone() == (134,)


def test_an_empty_lake_builds(tmp_path):
    run = dbt_build(tmp_path / "lake", tmp_path / "warehouse.duckdb", tmp_path)
    assert run.returncode == 0, failures(run) or run.output
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True)
    try:
        for mart in ("channel_daily_rollups", "emote_usage", "channel_overlap",
                     "channel_baselines", "channel_chatters", "streams",
                     "stream_participation", "stream_top_chatters", "channel_participation"):
            assert scalar(con, f"select count(*) from marts.{mart}") == 0
    finally:
        con.close()


def test_a_window_the_detector_sent_twice_counts_once(tmp_path):
    """At-least-once delivery of windows: the archiver stores a redelivered window again, in
    another commit; the marts count it once."""
    store = LakeStore(str(tmp_path / "lake"))
    base = 1_700_000_000_000
    windows = [{"v": 1, "broadcaster_id": "7", "window_start": base + i * 5000,
                "window_end": base + (i + 1) * 5000, "message_count": i + 1,
                "chatter_count": 1} for i in range(4)]
    table = to_lake_table(table_from_records(windows, CHAT_WINDOWS), CHAT_WINDOWS)
    store.append(CHAT_WINDOWS.name, table)  # the first delivery
    store.append(CHAT_WINDOWS.name, table.slice(2))  # redelivered after a restart
    run = dbt_build(tmp_path / "lake", tmp_path / "warehouse.duckdb", tmp_path)
    assert run.returncode == 0, failures(run) or run.output
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True)
    try:
        assert scalar(con, "select detector_windows from marts.channel_baselines "
                           "where broadcaster_id = '7'") == 4
        assert scalar(con, "select detector_median_messages_per_window from "
                           "marts.channel_baselines where broadcaster_id = '7'") == 2.5
    finally:
        con.close()


def test_dagster_loads_and_runs_the_dbt_assets(tmp_path, monkeypatch):
    from orchestration.definitions import defs as definitions
    from orchestration.defs.marts.assets import build_marts_assets
    from orchestration.defs.marts.project import marts_project, prepare_manifest
    from orchestration.defs.resources import resources_from_settings

    loaded = definitions()
    dg.Definitions.validate_loadable(loaded)
    graph = loaded.resolve_asset_graph()
    staging = dg.AssetKey(["staging", "stg_lake__chat_messages"])
    # The dbt source lake.chat_messages is the lake dataset's asset, fed by the history import.
    assert graph.get(staging).parent_keys == {dg.AssetKey(["lake", "chat_messages"])}
    assert dg.AssetKey(["lake", "imported_chat"]) in \
        graph.get(dg.AssetKey(["lake", "chat_messages"])).parent_keys
    assert dg.AssetKey(["marts", "channel_daily_rollups"]) in graph.get_all_asset_keys()
    assert loaded.resolve_job_def("marts_job") is not None
    assert loaded.resolve_sensor_def("lake_changes_sensor").job_name == "marts_job"

    # The asset body runs dbt with the settings' (absolute) lake and warehouse: empty lake here.
    monkeypatch.setenv("CHATLAKE_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("CHATLAKE_LAKE_URI", raising=False)
    project = marts_project()
    prepare_manifest(project)
    result = dg.materialize([build_marts_assets(project)], partition_key="2024-01-06",
                            resources=resources_from_settings(Settings()))
    assert result.success
    assert (tmp_path / "state" / "warehouse.duckdb").is_file()
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    assert dg.AssetKey(["marts", "emote_usage"]) in materialized
