"""The lake's copy of the emote sets as a Dagster asset: materialized twice, it holds
PostgreSQL's table once, and the dbt source lake.channel_emotes is its downstream."""

from datetime import UTC, datetime

import dagster as dg
import psycopg

from orchestration.defs.lake.assets import LAKE_CHANNEL_EMOTES, lake_channel_emotes
from orchestration.defs.resources import LakeResource, PostgresResource
from warehouse.channel_emotes import TABLE
from warehouse.lake_store import LakeStore

CHANNEL = "test-lake-emotes-channel"


def test_materializing_copies_the_emote_sets_whole(postgres_server, tmp_path):
    with psycopg.connect(postgres_server) as conn:
        conn.execute("delete from channel_emotes where broadcaster_id = %s", [CHANNEL])
        conn.execute(
            "insert into channel_emotes (broadcaster_id, provider, emote_id, emote_name,"
            " valid_from, valid_to) values (%s, '7tv', 'a', 'KEKW', %s, null),"
            " (%s, 'bttv', 'b', 'catJAM', %s, %s)",
            [CHANNEL, datetime(2024, 1, 1, tzinfo=UTC), CHANNEL,
             datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 2, 1, tzinfo=UTC)])
        in_postgres = conn.execute("select count(*) from channel_emotes").fetchone()[0]
    resources = {"postgres": PostgresResource(dsn=postgres_server),
                 "lake": LakeResource(uri=str(tmp_path / "lake"))}
    try:
        for _ in range(2):
            result = dg.materialize([lake_channel_emotes], resources=resources)
            assert result.success
        rows = LakeStore(str(tmp_path / "lake")).open(TABLE).to_pyarrow_table().to_pylist()
        assert len(rows) == in_postgres  # replaced, not appended
        ours = sorted((r["provider"], r["emote_name"], r["valid_to"]) for r in rows
                      if r["broadcaster_id"] == CHANNEL)
        assert ours == [("7tv", "KEKW", None),
                        ("bttv", "catJAM", datetime(2024, 2, 1, tzinfo=UTC))]
        materialization = result.get_asset_materialization_events()[0]
        assert materialization.materialization.metadata["rows"].value == in_postgres
    finally:
        with psycopg.connect(postgres_server) as conn:
            conn.execute("delete from channel_emotes where broadcaster_id = %s", [CHANNEL])


def test_the_staging_view_of_channel_emotes_is_downstream_of_the_asset():
    from orchestration.definitions import defs

    graph = defs().resolve_asset_graph()
    staging = dg.AssetKey(["staging", "stg_lake__channel_emotes"])
    assert graph.get(staging).parent_keys == {LAKE_CHANNEL_EMOTES}
