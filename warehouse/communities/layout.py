"""Map positions without an O(n^2) force layout: communities are laid out as a graph of their
own (a few hundred nodes at most, networkx spring layout, seeded), each channel sits in a disc
around its community's centre, nearer the centre the higher its PageRank. Vectorised."""

import networkx as nx
import numpy as np
import polars as pl

PALETTE = (  # 20 colours far apart; communities beyond them are grey
    "#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#bfef45",
    "#fabed4", "#469990", "#dcbeff", "#9a6324", "#fffac8", "#800000", "#aaffc3", "#808000",
    "#ffd8b1", "#000075", "#ffe119", "#00a087",
)
OTHER_COLOUR = "#c8c8c8"


def community_colour(community: pl.Expr) -> pl.Expr:
    return (pl.when(community < len(PALETTE))
            .then(pl.lit(pl.Series(PALETTE)).gather(community.clip(0, len(PALETTE) - 1)))
            .otherwise(pl.lit(OTHER_COLOUR)))


def map_positions(nodes: pl.DataFrame, edges: pl.DataFrame, seed: int = 42) -> pl.DataFrame:
    """nodes (index, community, pagerank) + x, y in [-1, 1]; edges: source, target, weight,
    source_community, target_community."""
    if nodes.height == 0:
        return nodes.with_columns(x=pl.lit(0.0), y=pl.lit(0.0))
    sizes = nodes.group_by("community").agg(members=pl.len()).sort("community")
    between = (edges.filter(pl.col("source_community") != pl.col("target_community"))
               .group_by("source_community", "target_community").agg(pl.col("weight").sum()))
    graph = nx.Graph()
    graph.add_nodes_from(sizes["community"].to_list())
    graph.add_weighted_edges_from(between.iter_rows())
    centres = nx.spring_layout(graph, seed=seed, weight="weight")
    communities = sizes["community"].to_numpy()
    centre = np.array([centres[c] for c in communities]).reshape(-1, 2)
    radius = 0.08 * np.sqrt(sizes["members"].to_numpy() / max(sizes["members"].max(), 1))
    rng = np.random.default_rng(seed)
    order = nodes["community"].to_numpy()
    # Rank within the community by PageRank: the most central channels sit in the middle.
    within = (nodes.with_columns(rank=pl.col("pagerank").rank("ordinal", descending=True)
                                 .over("community"))
              .join(sizes, on="community", how="left", maintain_order="left"))
    share = (within["rank"].to_numpy() - 0.5) / within["members"].to_numpy()
    angle = rng.random(nodes.height) * 2 * np.pi
    where = np.searchsorted(communities, order)
    r = radius[where] * np.sqrt(share)
    x = centre[where, 0] + r * np.cos(angle)
    y = centre[where, 1] + r * np.sin(angle)
    span = max(np.abs(x).max(), np.abs(y).max(), 1e-9)
    return nodes.with_columns(x=pl.Series(x / span), y=pl.Series(y / span))
