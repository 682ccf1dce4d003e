"""The marts' asset checks: fresh against the lake, every live message counted once; each fails
when it should (a lake that moved on, a mart that lost rows)."""

from datetime import timedelta

import dagster as dg
import duckdb
import pytest

from ingest.chat_import import import_to_lake
from ingest.importers import ImportOptions
from warehouse.lake_store import LakeStore
from warehouse.marts_build import build_marts, plan_build, run_dbt_subprocess
from warehouse.marts_checks import (
    check_freshness,
    check_message_counts,
    lake_live_messages,
)
from warehouse.marts_file import MartsFile

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_checks_pass_on_a_fresh_build_and_fail_when_they_should(shared_data, tmp_path):
    nymn = shared_data / "irc" / "nymn_recent.irc"
    lirik = shared_data / "vod" / "lirik" / "lirik_389178879.chat.json.gz"
    store = LakeStore(str(tmp_path / "lake"))
    import_to_lake(nymn, ImportOptions(), store)
    marts = MartsFile(tmp_path / "warehouse.duckdb")
    build_marts(store, marts, plan_build(store, marts), run_dbt_subprocess)

    counts = check_message_counts(store, marts)
    assert counts.passed, counts.description
    live = counts.metadata["lake_live_messages"]
    assert live == lake_live_messages(store, store.open("chat_messages").version()) > 0
    assert counts.metadata["marts.channel_daily_rollups"] == live
    fresh = check_freshness(store, marts, max_age=timedelta(0))
    assert fresh.passed and fresh.metadata["days_pending"] == 0

    # The lake moves on: stale once the build is older than the limit, not before.
    import_to_lake(lirik, ImportOptions(), store)
    stale = check_freshness(store, marts, max_age=timedelta(0))
    assert not stale.passed and stale.metadata["days_pending"] >= 1
    assert check_freshness(store, marts, max_age=timedelta(days=1)).passed
    # The count check reads the version the build pinned, so new data does not fail it.
    assert check_message_counts(store, marts).passed

    # A mart that lost rows fails the count check, which names it.
    with duckdb.connect(str(marts.path)) as con:
        con.execute("delete from marts.channel_hourly_rollups where rowid in "
                    "(select min(rowid) from marts.channel_hourly_rollups)")
    broken = check_message_counts(store, marts)
    assert not broken.passed
    assert "marts.channel_hourly_rollups" in broken.description
    assert "marts.channel_daily_rollups" not in broken.description


def test_the_checks_are_dagster_asset_checks_of_the_daily_rollups(tmp_path):
    from orchestration.definitions import defs as definitions
    from orchestration.defs.marts.checks import marts_count_every_message, marts_fresh
    from orchestration.defs.resources import LakeResource, WarehouseResource

    graph = definitions().resolve_asset_graph()
    rollups = dg.AssetKey(["marts", "channel_daily_rollups"])
    assert {dg.AssetCheckKey(rollups, "marts_fresh"),
            dg.AssetCheckKey(rollups, "marts_count_every_message")} <= graph.asset_check_keys

    # Never built: both fail, saying so.
    lake = LakeResource(uri=str(tmp_path / "lake"))
    warehouse = WarehouseResource(path=str(tmp_path / "warehouse.duckdb"))
    for check in (marts_fresh, marts_count_every_message):
        result = check(lake=lake, warehouse=warehouse)
        assert not result.passed and "never been built" in result.description
