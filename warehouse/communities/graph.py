"""The overlap graph as indexed arrays: nodes in a fixed order (sorted ids, so the same input
always gives the same matrix and a seeded Leiden the same partition) and a symmetric CSR
matrix of one weight."""

from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy import sparse

WEIGHTS = ("jaccard_index", "overlap_coefficient", "shared_chatters")


@dataclass(frozen=True)
class OverlapGraph:
    nodes: pl.DataFrame  # index, broadcaster_id, chatters: one row per channel with an edge
    edges: pl.DataFrame  # source, target (indices, source < target), weight, and the inputs
    matrix: sparse.csr_matrix  # symmetric, weight in both directions

    @property
    def size(self) -> int:
        return self.nodes.height


def overlap_graph(edges: pl.DataFrame, weight: str = "jaccard_index") -> OverlapGraph:
    """From undirected overlap edges (broadcaster_id, other_broadcaster_id, chatters,
    other_chatters, shared_chatters and the weights; one row per pair, either order)."""
    if weight not in WEIGHTS:
        raise ValueError(f"unknown edge weight {weight!r}; choose one of {', '.join(WEIGHTS)}")
    ends = pl.concat([
        edges.select(pl.col("broadcaster_id"), pl.col("chatters")),
        edges.select(pl.col("other_broadcaster_id").alias("broadcaster_id"),
                     pl.col("other_chatters").alias("chatters")),
    ])
    nodes = (ends.group_by("broadcaster_id").agg(pl.col("chatters").max())
             .sort("broadcaster_id").with_row_index("index"))
    index = nodes.select("broadcaster_id", "index")
    indexed = (edges
               .join(index, on="broadcaster_id")
               .join(index.rename({"broadcaster_id": "other_broadcaster_id",
                                   "index": "other_index"}), on="other_broadcaster_id")
               .with_columns(source=pl.min_horizontal("index", "other_index"),
                             target=pl.max_horizontal("index", "other_index"),
                             weight=pl.col(weight).cast(pl.Float64))
               .filter(pl.col("source") != pl.col("target"))
               .unique(["source", "target"], keep="first")
               .sort("source", "target")
               .drop("index", "other_index"))
    source = indexed["source"].to_numpy().astype(np.int64)
    target = indexed["target"].to_numpy().astype(np.int64)
    weights = indexed["weight"].to_numpy()
    n = nodes.height
    matrix = sparse.coo_matrix(
        (np.concatenate([weights, weights]),
         (np.concatenate([source, target]), np.concatenate([target, source]))),
        shape=(n, n)).tocsr()
    matrix.sort_indices()
    return OverlapGraph(nodes=nodes, edges=indexed, matrix=matrix)
