import numpy as np
import pytest

from warehouse.communities.agreement import adjusted_rand_index


def test_renamed_partition_scores_one():
    assert adjusted_rand_index([0, 0, 1, 1, 2], [5, 5, 3, 3, 9]) == 1.0


def test_known_values():
    # Worked by hand: contingency [[2, 0], [0, 1], [0, 1]] -> index 1, expected 1 * 2 / 6.
    assert adjusted_rand_index([0, 0, 1, 1], [0, 0, 1, 2]) == pytest.approx(4 / 7)
    assert adjusted_rand_index([0, 0, 0, 0], [0, 1, 2, 3]) == 0.0


def test_chance_is_near_zero():
    rng = np.random.default_rng(1)
    assert abs(adjusted_rand_index(rng.integers(0, 5, 5000), rng.integers(0, 5, 5000))) < 0.01


def test_lengths_must_match():
    with pytest.raises(ValueError, match="same items"):
        adjusted_rand_index([0, 1], [0])
