"""Adjusted Rand index of two labellings (Hubert and Arabie), with numpy: 1 for the same
partition up to renaming, about 0 for chance agreement."""

import numpy as np


def adjusted_rand_index(truth: np.ndarray, found: np.ndarray) -> float:
    truth, found = np.asarray(truth), np.asarray(found)
    if truth.shape != found.shape:
        raise ValueError("the labellings must cover the same items")
    n = truth.size
    _, t = np.unique(truth, return_inverse=True)
    _, f = np.unique(found, return_inverse=True)
    cells = np.unique(t.astype(np.int64) * (f.max() + 1) + f, return_counts=True)[1]

    def pairs(counts: np.ndarray) -> float:
        return float(np.sum(counts * (counts - 1) / 2))

    index = pairs(cells)
    rows, cols = pairs(np.bincount(t)), pairs(np.bincount(f))
    total = n * (n - 1) / 2
    expected = rows * cols / total if total else 0.0
    maximum = (rows + cols) / 2
    if maximum == expected:
        return 1.0
    return (index - expected) / (maximum - expected)
