"""Leiden (graspologic-native) on the overlap graph, and modularity computed here with numpy so
any partition (a random one, last week's) can be scored the same way."""

from dataclasses import dataclass

import graspologic_native as gn
import numpy as np
from scipy import sparse

from warehouse.communities.graph import OverlapGraph


@dataclass(frozen=True)
class Partition:
    labels: np.ndarray  # community per node index, 0.. by descending size (ties: lowest node)
    modularity: float


def leiden(graph: OverlapGraph, resolution: float = 1.0, seed: int = 42,
           trials: int = 1) -> Partition:
    """The seeded Leiden partition (same graph, settings and seed: the same partition)."""
    if graph.size == 0:
        return Partition(np.zeros(0, dtype=np.int64), 0.0)
    matrix = graph.matrix
    _, mapping = gn.leiden_csr(
        matrix.indptr.astype(np.int64), matrix.indices.astype(np.int32),
        matrix.data.astype(np.float64), graph.size, resolution=resolution, seed=seed,
        trials=trials)
    raw = np.fromiter((mapping[i] for i in range(graph.size)), dtype=np.int64,
                      count=graph.size)
    labels = canonical_labels(raw)
    return Partition(labels, modularity(matrix, labels, resolution))


def canonical_labels(labels: np.ndarray) -> np.ndarray:
    """Renumber communities 0.. by descending size, ties by their lowest node: the ids then
    depend on the partition only, not on how the algorithm happened to number it."""
    _, first, inverse, counts = np.unique(labels, return_index=True, return_inverse=True,
                                          return_counts=True)
    order = np.lexsort((first, -counts))
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    return rank[inverse.reshape(-1)]


def modularity(matrix: sparse.csr_matrix, labels: np.ndarray, resolution: float = 1.0) -> float:
    """Newman's weighted modularity: sum over communities of internal weight / total weight
    minus resolution * (degree sum / (2 * total weight))^2."""
    coo = matrix.tocoo()
    two_m = coo.data.sum()  # every edge counted in both directions
    if two_m == 0:
        return 0.0
    internal = coo.data[labels[coo.row] == labels[coo.col]].sum()
    degrees = np.asarray(matrix.sum(axis=1)).ravel()
    community_degree = np.bincount(labels, weights=degrees)
    return float(internal / two_m - resolution * np.sum((community_degree / two_m) ** 2))


def random_partition(labels: np.ndarray, seed: int = 42) -> np.ndarray:
    """The same community sizes with channels shuffled among them: the modularity a partition
    of no structure scores, to print beside the real one."""
    return np.random.default_rng(seed).permutation(labels)
