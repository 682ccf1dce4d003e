"""find_communities and its files on a planted block model: tables, summary, CSV/Parquet
equal, and a second period's build that knows where each channel was before."""

import json
from datetime import date

import polars as pl
import pytest

from warehouse.communities.build import CommunitySettings, find_communities
from warehouse.communities.outputs import previous_assignment, write_outputs
from warehouse.communities.overlap import overlap_edges
from warehouse.communities.synthetic import planted_chat


@pytest.fixture(scope="module")
def edges():
    return overlap_edges(planted_chat(channels=500, blocks=8, chatters=20_000, seed=3).pairs)


def test_tables_and_files(edges, tmp_path):
    tags = pl.DataFrame({"broadcaster_id": ["c000", "c008"], "game_name": ["Dota 2", "Chess"],
                         "language": ["en", "de"], "share": [1.0, 1.0]})
    result = find_communities(edges, CommunitySettings(seed=1), tags=tags)
    assert result.nodes.height == 500 and result.communities.height == 8
    assert result.communities["channels"].sum() == 500
    assert result.nodes["pagerank"].sum() == pytest.approx(1.0)
    assert result.edges.height == edges.height
    # c000 and c008 share a planted block, so their community carries both labels.
    community = result.nodes.filter(pl.col("broadcaster_id") == "c000")["community"].item()
    label = result.communities.filter(pl.col("community") == community)["label"].item()
    assert set(label.split(" · ")[0].split(", ")) == {"Dota 2", "Chess"}
    summary = write_outputs(result, tmp_path, period="7d", period_end=date(2026, 1, 10))
    assert json.loads((tmp_path / "summary.json").read_text()) == summary
    assert summary["modularity"] > 0.5 > summary["random_partition_modularity"]
    for table in ("nodes", "edges", "communities"):
        parquet = pl.read_parquet(tmp_path / f"{table}.parquet")
        csv = pl.read_csv(tmp_path / f"{table}.csv")
        assert parquet.height == csv.height and parquet.columns == csv.columns
    assert (tmp_path / "history" / "2026-01-10.parquet").is_file()


def test_the_next_period_is_matched_to_the_last(edges, tmp_path):
    first = find_communities(edges, CommunitySettings(seed=1))
    write_outputs(first, tmp_path, period="7d", period_end=date(2026, 1, 10))
    assert previous_assignment(tmp_path, date(2026, 1, 16), 7) is None  # only 6 days earlier
    previous = previous_assignment(tmp_path, date(2026, 1, 17), 7)
    assert previous is not None and previous.height == 500
    # Another seed numbers the same communities alike (ids by size), and tracking says so.
    second = find_communities(edges, CommunitySettings(seed=2), previous=previous)
    assert (second.nodes["previous_community"] == first.nodes["community"]).all()
    assert second.communities["previous_jaccard"].to_list() == [1.0] * 8


def test_an_empty_graph_builds(tmp_path):
    empty = overlap_edges(pl.DataFrame(schema={"broadcaster_id": pl.String,
                                               "chatter_id": pl.String}))
    result = find_communities(empty, CommunitySettings())
    assert result.nodes.height == 0 and result.communities.height == 0
    assert write_outputs(result, tmp_path, period="all", period_end=None)["channels"] == 0
