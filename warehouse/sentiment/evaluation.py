"""Accuracy and macro-F1 of chat sentiment against a labelled set: ours, plain VADER, majority.

The labelled set (Kobs et al. 2020, ../shared/data/sentiment/labeled_dataset.csv) is under a
non-commercial licence: it is read here to measure, never to fit, and nothing of it is kept.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from warehouse.sentiment.scorer import score_messages

LABELS = (-1, 0, 1)
# VADER's README: positive at compound >= 0.05, negative at <= -0.05.
VADER_THRESHOLD = 0.05


@dataclass(frozen=True)
class Result:
    scorer: str
    messages: int
    accuracy: float
    macro_f1: float


def read_labelled(path: Path) -> pl.DataFrame:
    """`sentiment` (-1/0/1) and `message` of the labelled CSV; a clear error when it is not one."""
    if not path.is_file():
        raise FileNotFoundError(f"labelled sentiment set not found: {path}")
    frame = pl.read_csv(path, columns=["sentiment", "message"],
                        schema_overrides={"sentiment": pl.Int8, "message": pl.String})
    bad = frame.filter(~pl.col("sentiment").is_in(LABELS)).height
    if bad:
        raise ValueError(f"{path}: {bad} rows have a sentiment other than -1, 0 or 1")
    return frame.with_columns(pl.col("message").fill_null(""))


def accuracy_and_macro_f1(truth: np.ndarray, predicted: np.ndarray) -> tuple[float, float]:
    """Macro-F1 is the unweighted mean of the three classes' F1 (a class never predicted and
    never true would count 0; all three occur in the labelled set)."""
    f1s = []
    for label in LABELS:
        tp = np.sum((predicted == label) & (truth == label))
        fp = np.sum((predicted == label) & (truth != label))
        fn = np.sum((predicted != label) & (truth == label))
        f1s.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return float(np.mean(truth == predicted)), float(np.mean(f1s))


def vader_labels(messages: list[str]) -> np.ndarray:
    """Plain VADER, one message at a time (its only interface), compound thresholds +-0.05."""
    analyzer = SentimentIntensityAnalyzer()
    compound = np.array([analyzer.polarity_scores(text)["compound"] for text in messages])
    return np.where(compound >= VADER_THRESHOLD, 1,
                    np.where(compound <= -VADER_THRESHOLD, -1, 0))


def evaluate(path: Path) -> list[Result]:
    """Ours, VADER and the majority class on the labelled set at `path`."""
    labelled = read_labelled(path)
    truth = labelled["sentiment"].to_numpy()
    messages = labelled["message"].to_list()
    majority = labelled["sentiment"].mode().sort()[0]
    predictions = {
        "chatlake (emotes + slang + VADER words)":
            score_messages(labelled["message"])["sentiment_label"].to_numpy(),
        "VADER (vadersentiment 3.3.2)": vader_labels(messages),
        f"majority class ({majority:+d})": np.full(len(truth), majority),
    }
    results = []
    for name, predicted in predictions.items():
        accuracy, macro_f1 = accuracy_and_macro_f1(truth, predicted)
        results.append(Result(name, len(truth), accuracy, macro_f1))
    return results


def results_table(results: list[Result]) -> str:
    """A Markdown table, as docs/sentiment.md holds it."""
    lines = ["| scorer | messages | accuracy | macro-F1 |", "| --- | ---: | ---: | ---: |"]
    lines += [f"| {r.scorer} | {r.messages} | {r.accuracy:.3f} | {r.macro_f1:.3f} |"
              for r in results]
    return "\n".join(lines)
