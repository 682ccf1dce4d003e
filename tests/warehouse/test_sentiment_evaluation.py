"""The scorer on the crowd-labelled Twitch set (Kobs et al. 2020, non-commercial: evaluation
only): it beats plain VADER and the majority class on macro-F1."""

from pathlib import Path

import numpy as np
import pytest

from warehouse.sentiment.evaluation import accuracy_and_macro_f1, evaluate


def test_macro_f1_counts_every_class_equally() -> None:
    truth = np.array([1, 1, 1, 1, 0, -1])
    accuracy, macro_f1 = accuracy_and_macro_f1(truth, np.ones(6, dtype=int))
    assert accuracy == pytest.approx(4 / 6)
    assert macro_f1 == pytest.approx((2 * 4 / (2 * 4 + 2)) / 3)
    assert accuracy_and_macro_f1(truth, truth) == (1.0, 1.0)


def test_ours_beats_vader_and_the_majority_class(shared_data: Path) -> None:
    path = shared_data / "sentiment" / "labeled_dataset.csv"
    if not path.is_file():
        pytest.skip(f"the labelled sentiment set is absent ({path})")
    ours, vader, majority = evaluate(path)
    assert ours.messages == vader.messages == majority.messages == 1922
    assert ours.macro_f1 > vader.macro_f1
    assert ours.macro_f1 > majority.macro_f1
    assert ours.accuracy > majority.accuracy
