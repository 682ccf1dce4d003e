"""Community labels from the monitor's streams table (real PostgreSQL, migration 0008)."""

from datetime import UTC, datetime, timedelta

import polars as pl
import psycopg
import pytest

from warehouse.communities.build import CommunitySettings, find_communities
from warehouse.communities.overlap import overlap_edges
from warehouse.communities.stream_tags import stream_tags
from warehouse.communities.synthetic import planted_chat

pytestmark = pytest.mark.integration


def test_labels_come_from_the_streams_the_monitor_saw(postgres_server):
    start = datetime(2026, 12, 1, 18, tzinfo=UTC)
    rows = [  # c000 and c004 are in one planted block (ids interleave blocks of 4)
        ("c000", start, "Dota 2", "en", timedelta(hours=2)),
        ("c000", start + timedelta(days=1), "Chess", "en", timedelta(hours=1)),
        ("c004", start, "Dota 2", "ru", timedelta(hours=3)),
        ("c001", start, "Minecraft", "de", timedelta(0)),  # seen once: counts as a minute
    ]
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute("delete from streams where broadcaster_id like 'c00%'")
        for channel, started, game, language, seen in rows:
            conn.execute("insert into streams (broadcaster_id, started_at, game_name, "
                         "language, first_seen_at, last_seen_at) values (%s, %s, %s, %s, %s, "
                         "%s)", [channel, started, game, language, started, started + seen])
    tags = stream_tags(postgres_server).filter(pl.col("broadcaster_id").str.starts_with("c00"))
    share = {(r["broadcaster_id"], r["game_name"]): r["share"] for r in tags.to_dicts()}
    assert share == pytest.approx({("c000", "Dota 2"): 2 / 3, ("c000", "Chess"): 1 / 3,
                                   ("c004", "Dota 2"): 1.0, ("c001", "Minecraft"): 1.0})
    chat = planted_chat(channels=400, blocks=4, chatters=12_000, seed=4)
    result = find_communities(overlap_edges(chat.pairs), CommunitySettings(seed=1), tags=tags)
    community = {r["broadcaster_id"]: r["community"] for r in result.nodes.to_dicts()}
    labels = {r["community"]: r for r in result.communities.to_dicts()}
    dota = labels[community["c000"]]
    assert community["c000"] == community["c004"] != community["c001"]
    assert dota["games"] == ["Dota 2", "Chess"] and set(dota["languages"]) == {"en", "ru"}
    assert labels[community["c001"]]["label"] == "Minecraft · de"
