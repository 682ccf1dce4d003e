"""`marts.channel_overlap_periods` over real chat: every weight of every period equals a direct
Python set computation over the lake read with pyarrow (no SQL).

The shared data's multi-stream chat is one channel (kappa_zh, five VODs of 2016-12 .. 2017-01,
its chatters recur): each VOD is imported as a channel of its own, and the newest VOD is split
in two halves (two channels on the newest day) so that the 1-day period has a pair too. The
VODs' days put them in different periods: 2016-12-02 only in `all`, 2016-12-18 also in `30d`,
2017-01-05 also in `7d`, the two halves of 2017-01-10 in every period."""

import gzip
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import psycopg
import pytest
from typer.testing import CliRunner

from chatlake.cli import app
from ingest.chat_import import import_to_lake
from ingest.importers import ImportOptions
from orchestration.defs.communities.assets import channel_communities
from orchestration.defs.resources import PostgresResource, WarehouseResource
from tests.dbt.support import dbt_build, failures, live_chat_rows
from warehouse.communities.overlap import overlap_edges
from warehouse.lake_store import LakeStore

pytestmark = [pytest.mark.integration, pytest.mark.slow]

WHOLE_VODS = {"104703028": "kappa_a", "108244967": "kappa_b", "111540271": "kappa_c",
              "112251297": "kappa_d"}
SPLIT_VOD = "113759702"
PERIOD_DAYS = {"1d": 1, "7d": 7, "30d": 30, "all": None}


@pytest.fixture(scope="module")
def built(shared_data, tmp_path_factory):
    folder = shared_data / "multi" / "kappa_zh"
    paths = {vod: folder / f"VoD_{vod}.txt.gz" for vod in [*WHOLE_VODS, SPLIT_VOD]}
    for path in paths.values():
        if not path.is_file():
            pytest.skip(f"{path} is absent from the shared data; this test needs real chat")
    work = tmp_path_factory.mktemp("overlap")
    store = LakeStore(str(work / "lake"))
    for vod, channel in WHOLE_VODS.items():
        import_to_lake(paths[vod], ImportOptions(channel=channel), store)
    lines = gzip.decompress(paths[SPLIT_VOD].read_bytes()).decode("utf-8-sig").splitlines()
    half = len(lines) // 2
    for name, part in (("kappa_e", lines[:half]), ("kappa_f", lines[half:])):
        piece = work / f"VoD_{SPLIT_VOD}_{name}.txt"  # a temporary file, never in the repo
        piece.write_text("\n".join(part) + "\n", encoding="utf-8")
        import_to_lake(piece, ImportOptions(channel=name), store)
    run = dbt_build(work / "lake", work / "warehouse.duckdb", work)
    assert run.returncode == 0, failures(run) or run.output
    con = duckdb.connect(str(work / "warehouse.duckdb"), read_only=True)
    yield con, live_chat_rows(work / "lake")
    con.close()


@pytest.fixture(scope="module")
def state(built):
    """The folder holding the marts file (the CLI's state folder)."""
    con, _ = built
    return Path(con.execute("select path from duckdb_databases() "
                            "where database_name = 'warehouse'").fetchone()[0]).parent


def expected_overlap(rows: list[dict]) -> dict[tuple[str, str, str], tuple]:
    """(period, a, b) -> (chatters, other, shared, jaccard, overlap coefficient, directed share),
    from sets of chatters with any message in each period (ending at the newest day)."""
    newest = max(r["timestamp"].date() for r in rows)
    expected = {}
    for period, days in PERIOD_DAYS.items():
        chatters = defaultdict(set)
        for r in rows:
            if days is None or r["timestamp"].date() > newest - timedelta(days=days):
                chatters[r["broadcaster_id"]].add(r["chatter_id"])
        for a, a_set in chatters.items():
            for b, b_set in chatters.items():
                shared = len(a_set & b_set)
                if a == b or shared == 0:
                    continue
                expected[(period, a, b)] = (
                    len(a_set), len(b_set), shared, shared / len(a_set | b_set),
                    shared / min(len(a_set), len(b_set)), shared / len(a_set))
    return expected


def test_every_period_and_weight_equals_python_sets(built):
    con, rows = built
    expected = expected_overlap(rows)
    got = {(period, a, b): rest for period, a, b, *rest in con.execute(
        "select period, broadcaster_id, other_broadcaster_id, chatters, other_chatters, "
        "shared_chatters, jaccard_index, overlap_coefficient, directed_share "
        "from marts.channel_overlap_periods").fetchall()}
    assert set(got) == set(expected)
    for key, values in expected.items():
        assert got[key] == pytest.approx(list(values)), key
    # The periods do differ: each one has the pairs its days allow, and no more.
    channels_in = {period: {a for p, a, _ in expected if p == period} for period in PERIOD_DAYS}
    assert channels_in["1d"] == {"kappa_e", "kappa_f"}
    assert channels_in["7d"] == {"kappa_d", "kappa_e", "kappa_f"}
    assert channels_in["30d"] == {"kappa_b", "kappa_c", "kappa_d", "kappa_e", "kappa_f"}
    assert channels_in["all"] == {*WHOLE_VODS.values(), "kappa_e", "kappa_f"}


def test_directed_share_is_not_symmetric_but_the_rest_is(built):
    con, _ = built
    rows = con.execute(
        "select a.shared_chatters = b.shared_chatters, a.jaccard_index = b.jaccard_index, "
        "a.overlap_coefficient = b.overlap_coefficient, "
        "abs(a.directed_share * a.chatters - b.directed_share * b.chatters) < 1e-9 "
        "from marts.channel_overlap_periods a "
        "join marts.channel_overlap_periods b on a.period = b.period "
        "and a.broadcaster_id = b.other_broadcaster_id "
        "and a.other_broadcaster_id = b.broadcaster_id").fetchall()
    assert rows and all(all(r) for r in rows)
    assert con.execute("select count(*) from marts.channel_overlap_periods "
                       "where shared_chatters = 0").fetchone() == (0,)


def test_the_python_overlap_rule_equals_the_mart(built):
    """warehouse/communities/overlap.py (for chatter-channel tables) and the mart agree."""
    con, rows = built
    pairs = pl.DataFrame({"broadcaster_id": [r["broadcaster_id"] for r in rows],
                          "chatter_id": [r["chatter_id"] for r in rows]})
    ours = overlap_edges(pairs).sort("broadcaster_id", "other_broadcaster_id")
    mart = con.execute(
        "select broadcaster_id, other_broadcaster_id, chatters, other_chatters, "
        "shared_chatters, jaccard_index, overlap_coefficient from marts.channel_overlap_periods "
        "where period = 'all' and broadcaster_id < other_broadcaster_id "
        "order by 1, 2").pl()
    assert ours.rows() == mart.rows()


def test_communities_command_over_the_marts(built, state, tmp_path, monkeypatch):
    monkeypatch.setenv("CHATLAKE_STATE_DIR", str(state))
    out = tmp_path / "communities"
    run = CliRunner().invoke(app, ["communities", "build", "--period", "30d", "--seed", "1",
                                   "--out", str(out)])
    assert run.exit_code == 0, run.output
    assert "5 channels" in run.output and "modularity" in run.output
    nodes = pl.read_parquet(out / "30d" / "nodes.parquet")
    assert set(nodes["broadcaster_id"]) == {"kappa_b", "kappa_c", "kappa_d", "kappa_e",
                                            "kappa_f"}
    for name in ("edges.csv", "communities.parquet", "map.png", "map.html", "summary.json"):
        assert (out / "30d" / name).stat().st_size > 0
    exported = tmp_path / "communities.csv"
    run = CliRunner().invoke(app, ["communities", "export", "communities", "--period", "30d",
                                   "--out", str(out), "-o", str(exported)])
    assert run.exit_code == 0 and pl.read_csv(exported).height >= 1
    missing = CliRunner().invoke(app, ["communities", "export", "nodes", "--period", "1d",
                                       "--out", str(out), "-o", str(tmp_path / "x.csv")])
    assert missing.exit_code == 1 and "does not exist" in missing.output


def test_the_dagster_asset_builds_every_period(built, state, postgres_server):
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute("delete from streams where broadcaster_id like 'kappa_%'")
        conn.execute("insert into streams (broadcaster_id, started_at, game_name, language, "
                     "first_seen_at, last_seen_at) values ('kappa_e', now(), 'Hearthstone', "
                     "'zh', now(), now())")
    warehouse = WarehouseResource(path=str(state / "warehouse.duckdb"))
    for _ in range(2):  # a rerun of the partition replaces, it does not add
        result = dg.materialize([channel_communities], partition_key="2017-01-10",
                                resources={"warehouse": warehouse,
                                           "postgres": PostgresResource(dsn=postgres_server)})
        assert result.success
    kept = sorted(p.name for p in (state / "communities" / "7d" / "history").iterdir())
    assert kept == ["2017-01-10.parquet"]
    for period in ("7d", "30d", "all"):
        nodes = pl.read_parquet(state / "communities" / period / "nodes.parquet")
        assert nodes.height >= 3 and nodes["community"].min() == 0
    labels = pl.read_parquet(state / "communities" / "7d" / "communities.parquet")["label"]
    assert any("Hearthstone · zh" in label for label in labels)
    metadata = result.asset_materializations_for_node(
        "communities__channel_communities")[0].metadata
    assert metadata["all_channels"].value == 6.0


def test_the_definitions_load_with_communities_downstream_of_the_mart():
    from orchestration.definitions import defs as definitions

    loaded = definitions()
    dg.Definitions.validate_loadable(loaded)
    graph = loaded.resolve_asset_graph()
    communities = graph.get(dg.AssetKey(["communities", "channel_communities"]))
    assert communities.parent_keys == {dg.AssetKey(["marts", "channel_overlap_periods"])}
    assert communities.partitions_def == graph.get(
        dg.AssetKey(["marts", "channel_overlap_periods"])).partitions_def
