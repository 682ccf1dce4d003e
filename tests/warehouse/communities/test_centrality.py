import networkx as nx
import numpy as np
import pytest
from scipy import sparse

from warehouse.communities.centrality import pagerank, weighted_degree


def small_graph():
    edges = [(0, 1, 3.0), (1, 2, 1.0), (2, 0, 0.5), (2, 3, 2.0), (3, 4, 0.25)]
    rows = [a for a, b, _ in edges] + [b for a, b, _ in edges]
    cols = [b for a, b, _ in edges] + [a for a, b, _ in edges]
    weights = [w for *_, w in edges] * 2
    matrix = sparse.csr_matrix((weights, (rows, cols)), shape=(6, 6))  # node 5: no edges
    graph = nx.Graph()
    graph.add_nodes_from(range(6))
    graph.add_weighted_edges_from(edges)
    return matrix, graph


def test_weighted_degree_sums_edge_weights():
    matrix, _ = small_graph()
    assert list(weighted_degree(matrix)) == [3.5, 4.0, 3.5, 2.25, 0.25, 0.0]


def test_pagerank_equals_networkx():
    matrix, graph = small_graph()
    reference = nx.pagerank(graph, alpha=0.85, weight="weight", tol=1e-12)
    got = pagerank(matrix)
    assert got.sum() == pytest.approx(1.0)
    assert got == pytest.approx(np.array([reference[i] for i in range(6)]), abs=1e-8)
