"""One communities build: overlap edges -> graph -> seeded Leiden -> centrality, labels and
the match to the previous period's communities -> three tables (nodes, edges, communities)."""

from dataclasses import dataclass, field

import polars as pl

from warehouse.communities.centrality import pagerank, weighted_degree
from warehouse.communities.graph import overlap_graph
from warehouse.communities.labels import community_labels
from warehouse.communities.partition import leiden, modularity, random_partition
from warehouse.communities.tracking import channel_history, match_communities


@dataclass(frozen=True)
class CommunitySettings:
    weight: str = "jaccard_index"
    resolution: float = 1.0
    seed: int = 42


@dataclass(frozen=True)
class Communities:
    nodes: pl.DataFrame  # one row per channel in the graph
    edges: pl.DataFrame  # one row per channel pair sharing chatters
    communities: pl.DataFrame  # one row per community
    modularity: float
    random_modularity: float  # the same sizes, channels shuffled: what no structure scores
    settings: CommunitySettings = field(default_factory=CommunitySettings)


def find_communities(edges: pl.DataFrame, settings: CommunitySettings,
                     tags: pl.DataFrame | None = None,
                     previous: pl.DataFrame | None = None,
                     logins: pl.DataFrame | None = None) -> Communities:
    """`edges`: undirected overlap edges; `tags`: broadcaster_id, game_name, language, share;
    `previous`: broadcaster_id, community of the previous period; `logins`: broadcaster_id,
    broadcaster_login."""
    graph = overlap_graph(edges, settings.weight)
    partition = leiden(graph, settings.resolution, settings.seed)
    shuffled = modularity(graph.matrix, random_partition(partition.labels, settings.seed),
                          settings.resolution)
    nodes = graph.nodes.with_columns(
        community=pl.Series(partition.labels, dtype=pl.Int64),
        weighted_degree=pl.Series(weighted_degree(graph.matrix)),
        pagerank=pl.Series(pagerank(graph.matrix)))
    if logins is not None:
        nodes = nodes.join(logins, on="broadcaster_id", how="left", maintain_order="left")
    else:
        nodes = nodes.with_columns(broadcaster_login=pl.lit(None, pl.String))
    current = nodes.select("broadcaster_id", "community")
    before = previous if previous is not None else current.clear()
    nodes = nodes.join(channel_history(current, before), on="broadcaster_id", how="left",
                       maintain_order="left")
    node_index = nodes.select("index", "community")
    edge_rows = (graph.edges
                 .join(node_index.rename({"index": "source", "community": "source_community"}),
                       on="source")
                 .join(node_index.rename({"index": "target", "community": "target_community"}),
                       on="target")
                 .select("broadcaster_id", "other_broadcaster_id", "source", "target",
                         "shared_chatters", "jaccard_index", "overlap_coefficient", "weight",
                         "source_community", "target_community"))
    internal = (edge_rows.filter(pl.col("source_community") == pl.col("target_community"))
                .group_by(pl.col("source_community").alias("community"))
                .agg(internal_weight=pl.col("weight").sum()))
    top = (nodes.sort("pagerank", descending=True)
           .group_by("community", maintain_order=True)
           .agg(top_channel=pl.col("broadcaster_login").first()
                .fill_null(pl.col("broadcaster_id").first())))
    labels = community_labels(nodes.select("broadcaster_id", "community", "chatters"),
                              tags if tags is not None else pl.DataFrame(
                                  schema={"broadcaster_id": pl.String, "game_name": pl.String,
                                          "language": pl.String, "share": pl.Float64}))
    matched = match_communities(current, before).rename({"jaccard": "previous_jaccard"})
    communities = (nodes.group_by("community")
                   .agg(channels=pl.len(), chatters_summed=pl.col("chatters").sum())
                   .join(internal, on="community", how="left")
                   .join(top, on="community", how="left")
                   .join(labels, on="community", how="left")
                   .join(matched, on="community", how="left")
                   .with_columns(pl.col("internal_weight").fill_null(0.0))
                   .sort("community"))
    return Communities(nodes.sort("index"), edge_rows, communities, partition.modularity,
                       shuffled, settings)
