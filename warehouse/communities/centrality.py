"""Centrality per channel on the weighted overlap graph: weighted degree and PageRank."""

import numpy as np
from scipy import sparse


def weighted_degree(matrix: sparse.csr_matrix) -> np.ndarray:
    return np.asarray(matrix.sum(axis=1)).ravel()


def pagerank(matrix: sparse.csr_matrix, damping: float = 0.85, tolerance: float = 1e-10,
             max_iterations: int = 200) -> np.ndarray:
    """Weighted PageRank by power iteration (walks follow edges in proportion to weight;
    a node without edges would jump anywhere). Sums to 1."""
    n = matrix.shape[0]
    if n == 0:
        return np.zeros(0)
    degree = weighted_degree(matrix)
    inverse = np.divide(1.0, degree, out=np.zeros_like(degree), where=degree > 0)
    transition = sparse.diags(inverse) @ matrix  # row-stochastic where degree > 0
    transposed = transition.T.tocsr()
    rank = np.full(n, 1.0 / n)
    dangling = degree == 0
    for _ in range(max_iterations):
        spread = damping * (transposed @ rank + rank[dangling].sum() / n) + (1 - damping) / n
        if np.abs(spread - rank).sum() < tolerance:
            return spread
        rank = spread
    return rank
