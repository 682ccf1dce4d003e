"""Incremental marts: a rebuilt day gives identical marts, a late import of an old VOD rebuilds
only its days, and the incremental marts always equal a full rebuild of the same lake."""

from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pytest

from ingest.chat_import import import_to_lake
from ingest.importers import ImportOptions
from warehouse.lake_store import LakeStore
from warehouse.marts_build import build_marts, plan_build, run_dbt_subprocess
from warehouse.marts_file import MartsFile

pytestmark = [pytest.mark.integration, pytest.mark.slow]

# The tables incremental by day, and the column that says which day a row belongs to.
BY_DAY = {
    "intermediate.int_chat_messages_deduplicated": "sent_on",
    "intermediate.int_emote_uses_unnested": "sent_on",
    "marts.channel_activity": "bucket_on",
    "marts.emote_usage": "bucket_on",
    "intermediate.int_chat_message_sentiments_scored": "sent_on",
    "marts.channel_sentiment": "bucket_on",
}
LIRIK_DAY, OLD_VOD_DAY = date(2019, 3, 2), date(2018, 5, 5)
# A Dota 2 video whose comments carry offsets only (no wall-clock time).
OLD_VOD = "319709841"


def tables(path: Path) -> dict[str, list[tuple]]:
    """Every built table's rows, sorted (each row as text, so any type compares)."""
    with duckdb.connect(str(path), read_only=True) as con:
        names = con.execute(
            "select table_schema || '.' || table_name from information_schema.tables"
            " where table_schema in ('intermediate', 'marts') and table_type = 'BASE TABLE'"
        ).fetchall()
        return {name: sorted(map(str, con.execute(f"select * from {name}").fetchall()))
                for (name,) in names}


def rows_by_day(path: Path, table: str) -> dict[date, list[str]]:
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(f"select {BY_DAY[table]}, * from {table}").fetchall()
    days: dict[date, list[str]] = {}
    for day, *row in rows:
        days.setdefault(day, []).append(str(row))
    return {day: sorted(found) for day, found in days.items()}


@pytest.fixture(scope="module")
def lake(shared_data, tmp_path_factory):
    nymn = shared_data / "irc" / "nymn_recent.irc"
    lirik = shared_data / "vod" / "lirik" / "lirik_389178879.chat.json.gz"
    work = tmp_path_factory.mktemp("incremental")
    store = LakeStore(str(work / "lake"))
    for path in (nymn, lirik):
        import_to_lake(path, ImportOptions(), store)
    return work, store


def test_a_rebuilt_day_and_a_late_import_change_only_their_days(lake, shared_data):
    work, store = lake
    old_vod = shared_data / "highlights" / "dota2" / f"{OLD_VOD}.chat.json.gz"
    if not old_vod.is_file():
        pytest.skip(f"the Dota 2 file {old_vod.name} is absent from the shared data")
    marts = MartsFile(work / "marts" / "warehouse.duckdb")
    first = build_marts(store, marts, plan_build(store, marts), run_dbt_subprocess)
    assert first is not None and first.days is None  # nothing published: a full build
    built = tables(marts.path)
    assert built["marts.channel_activity"] and built["marts.emote_usage"]

    # Nothing new in the lake: nothing to rebuild.
    assert plan_build(store, marts).days == ()
    # Rebuilding a day (as a Dagster partition run does) gives the same marts, row for row.
    again = build_marts(store, marts, plan_build(store, marts, days=[LIRIK_DAY]),
                        run_dbt_subprocess)
    assert again is not None and again.days == (LIRIK_DAY,)
    assert tables(marts.path) == built

    # Importing a file again stores nothing, so nothing is rebuilt.
    import_to_lake(shared_data / "irc" / "nymn_recent.irc", ImportOptions(), store)
    assert plan_build(store, marts).days == ()

    # A late import of an old VOD (its comments have only offsets: --start places it).
    import_to_lake(old_vod, ImportOptions(channel="oldvod", channel_id="777",
                                          start=datetime(2018, 5, 5, 12, tzinfo=UTC)), store)
    before = {table: rows_by_day(marts.path, table) for table in BY_DAY}
    plan = plan_build(store, marts)
    assert plan.days == (OLD_VOD_DAY,)
    build_marts(store, marts, plan, run_dbt_subprocess)
    for table in BY_DAY:
        after = rows_by_day(marts.path, table)
        assert OLD_VOD_DAY not in before[table], table
        if "emote" not in table:  # the Dota 2 chat has no emote positions
            assert OLD_VOD_DAY in after, table
        assert {d: r for d, r in after.items() if d != OLD_VOD_DAY} == before[table], table

    # The incremental marts equal a full rebuild of the same lake, every table.
    incremental = tables(marts.path)
    fresh = MartsFile(work / "fresh" / "warehouse.duckdb")
    build_marts(store, fresh, plan_build(store, fresh, full=True), run_dbt_subprocess)
    assert tables(fresh.path) == incremental
