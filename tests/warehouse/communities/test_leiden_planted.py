"""Leiden recovers planted communities: a stochastic block model of chatters over 600
channels in 12 blocks (80 % of a chatter's channels in their home block), through the same
overlap rule and graph the build uses."""

import graspologic_native as gn
import numpy as np
import pytest

from warehouse.communities.agreement import adjusted_rand_index
from warehouse.communities.graph import overlap_graph
from warehouse.communities.overlap import overlap_edges
from warehouse.communities.partition import leiden, modularity, random_partition
from warehouse.communities.synthetic import planted_chat


@pytest.fixture(scope="module")
def planted():
    chat = planted_chat(channels=600, blocks=12, chatters=30_000, p_home=0.8, seed=11)
    return chat, overlap_edges(chat.pairs)


@pytest.mark.parametrize("weight", ["jaccard_index", "overlap_coefficient", "shared_chatters"])
def test_planted_blocks_are_recovered(planted, weight):
    chat, edges = planted
    graph = overlap_graph(edges, weight)
    assert graph.size == 600
    found = leiden(graph, resolution=1.0, seed=3)
    truth = graph.nodes.join(chat.blocks, on="broadcaster_id", maintain_order="left")
    ari = adjusted_rand_index(truth["block"].to_numpy(), found.labels)
    shuffled = modularity(graph.matrix, random_partition(found.labels, seed=3))
    print(f"{weight}: {found.labels.max() + 1} communities, ARI {ari:.3f}, "
          f"modularity {found.modularity:.3f} vs a random partition's {shuffled:.3f}")
    assert ari >= 0.9
    assert found.modularity > 0.5 > 0.05 > shuffled


def test_the_same_seed_gives_the_same_partition(planted):
    _, edges = planted
    graph = overlap_graph(edges)
    first, again = leiden(graph, seed=5), leiden(graph, seed=5)
    assert np.array_equal(first.labels, again.labels)
    assert first.modularity == again.modularity


def test_resolution_changes_the_number_of_communities(planted):
    _, edges = planted
    graph = overlap_graph(edges)
    coarse, fine = leiden(graph, resolution=0.2, seed=1), leiden(graph, resolution=10.0, seed=1)
    assert coarse.labels.max() < 11 < fine.labels.max()


def test_modularity_equals_graspologic_native(planted):
    _, edges = planted
    graph = overlap_graph(edges)
    labels = leiden(graph, seed=2).labels
    for candidate in (labels, random_partition(labels, seed=9)):
        edge_list = [(str(s), str(t), w) for s, t, w in
                     graph.edges.select("source", "target", "weight").iter_rows()]
        reference = gn.modularity(edge_list, {str(i): int(c) for i, c in enumerate(candidate)})
        assert modularity(graph.matrix, candidate) == pytest.approx(reference, abs=1e-9)


def test_communities_are_numbered_by_size(planted):
    _, edges = planted
    labels = leiden(overlap_graph(edges), seed=4).labels
    sizes = np.bincount(labels)
    assert list(sizes) == sorted(sizes, reverse=True)
