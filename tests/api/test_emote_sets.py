"""Storing 7TV snapshots in channel_emotes: idempotent, and removals close their rows."""

from dataclasses import replace
from datetime import UTC, datetime

import psycopg
import pytest

from api.emote_sets import read_7tv, save_snapshot, store_snapshot
from tests.api.support import NYMN_7TV, require_shared_data
from warehouse.channel_emotes import TABLE
from warehouse.lake_store import LakeStore

CHANNEL = "test-emote-channel"


def test_snapshots_open_and_close_rows(postgres_server, tmp_path):
    require_shared_data()
    snapshot = read_7tv(NYMN_7TV)
    assert snapshot.provider == "7tv" and snapshot.broadcaster_id == "62300805"
    assert len(snapshot.emotes) == 837
    distinct = len({emote.emote_id for emote in snapshot.emotes})  # one emote is listed twice
    assert distinct == 836
    first, later = datetime(2024, 1, 6, tzinfo=UTC), datetime(2024, 2, 1, tzinfo=UTC)
    with psycopg.connect(postgres_server) as conn:
        conn.execute("delete from channel_emotes where broadcaster_id = %s", [CHANNEL])
        assert store_snapshot(conn, CHANNEL, snapshot, first) == (distinct, 0)
        assert store_snapshot(conn, CHANNEL, snapshot, first) == (0, 0)
        dropped = {emote.emote_id for emote in snapshot.emotes[:2]}
        kept = [emote for emote in snapshot.emotes if emote.emote_id not in dropped]
        smaller = replace(snapshot, emotes=tuple(kept))
        assert store_snapshot(conn, CHANNEL, smaller, later) == (0, 2)
        open_rows, closed = conn.execute(
            "select count(*) filter (where valid_to is null),"
            " count(*) filter (where valid_to = %s) from channel_emotes"
            " where broadcaster_id = %s",
            [later, CHANNEL],
        ).fetchone()
        assert (open_rows, closed) == (distinct - 2, 2)
        conn.execute("delete from channel_emotes where broadcaster_id = %s", [CHANNEL])


def test_saving_a_snapshot_replaces_the_lakes_copy_with_the_committed_table(
        postgres_server, tmp_path):
    require_shared_data()
    snapshot = read_7tv(NYMN_7TV)
    store = LakeStore(str(tmp_path / "lake"))
    first, later = datetime(2024, 1, 6, tzinfo=UTC), datetime(2024, 2, 1, tzinfo=UTC)
    with psycopg.connect(postgres_server) as conn:
        conn.execute("delete from channel_emotes")
        conn.commit()
        save_snapshot(conn, store, CHANNEL, snapshot, first)
        version = store.open(TABLE).version()
        save_snapshot(conn, store, CHANNEL, snapshot, first)
        assert store.open(TABLE).version() == version  # an equal copy is not written again
        smaller = replace(snapshot, emotes=snapshot.emotes[2:])
        save_snapshot(conn, store, CHANNEL, smaller, later)
    with psycopg.connect(postgres_server) as other:  # committed: another session sees it
        in_postgres = other.execute("select count(*) from channel_emotes").fetchone()[0]
        other.execute("delete from channel_emotes where broadcaster_id = %s", [CHANNEL])
    lake_rows = store.open(TABLE).to_pyarrow_table().to_pylist()
    assert len(lake_rows) == in_postgres == 836  # replaced whole, not appended twice
    closed = [row for row in lake_rows if row["valid_to"] is not None]
    assert len(closed) == 2 and all(row["valid_to"] == later for row in closed)
    assert {row["broadcaster_id"] for row in lake_rows} == {CHANNEL}


def test_not_an_emote_set(tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text('{"hello": 1}')
    with pytest.raises(ValueError, match="no 'emotes' list"):
        read_7tv(bad)
    bad.write_text("{")
    with pytest.raises(ValueError, match="not JSON"):
        read_7tv(bad)
