"""Parameter grids, sweeps and the selection rule.

Selection uses the training split only: the best train F1 among parameter sets whose train
precision reaches `min_precision` (clips nobody wants cost the streamer's audience more than a
missed moment), ties broken by fewer detections per hour. The held-out split is scored for the
report, never consulted.
"""

import itertools
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from chatlake_contracts.detector import DetectorParams

from detector.backtest import Backtest, Result
from detector.engine import TuningParams
from detector.scoring import Score


@dataclass(frozen=True)
class Grid:
    """Values to try, in seconds (and counts); every combination that is valid is swept."""

    bucket_s: tuple[float, ...] = (5,)
    baseline_s: tuple[float, ...] = (300,)
    k: tuple[float, ...] = (3.0,)
    cooldown_s: tuple[float, ...] = (30,)
    min_count: tuple[int, ...] = (5,)
    signal: tuple[str, ...] = ("messages",)
    baseline: tuple[str, ...] = ("meanstd",)
    max_gap_s: tuple[float | None, ...] = (None,)
    smooth: tuple[int, ...] = (1,)
    min_ratio: tuple[float, ...] = (0.0,)

    def __iter__(self) -> Iterator[TuningParams]:
        for (bucket, base, k, cool, minimum, signal, kind, gap, smooth, ratio) in \
                itertools.product(self.bucket_s, self.baseline_s, self.k, self.cooldown_s,
                                  self.min_count, self.signal, self.baseline, self.max_gap_s,
                                  self.smooth, self.min_ratio):
            bucket_ms, baseline_ms = round(bucket * 1000), round(base * 1000)
            if bucket_ms <= 0 or baseline_ms < bucket_ms or baseline_ms % bucket_ms:
                continue  # not a whole number of windows: the detector refuses it
            yield TuningParams(DetectorParams(
                bucket_ms=bucket_ms, baseline_ms=baseline_ms, k=float(k),
                cooldown_ms=round(cool * 1000), min_count=int(minimum),
                max_gap_ms=None if gap is None else round(gap * 1000)), signal, kind,
                int(smooth), float(ratio))

    def size(self) -> int:
        return sum(1 for _ in self)


# The default search: the contract's knobs, and the cheap stream signals beside them.
# Cooldown 0 is left out: it lets one moment fire every window, which inflates precision
# (each repeat counts as a true positive) and would flood the clipper.
SEARCH_GRID = Grid(
    bucket_s=(2, 5),
    baseline_s=(60, 120, 300),
    k=(1.5, 2.0, 2.5, 3.0, 4.0),
    cooldown_s=(15, 30, 60),
    min_count=(0, 5, 10, 20),
    signal=("messages", "chatters"),
    baseline=("meanstd", "median_mad", "ewma"),
    smooth=(1, 3),
    min_ratio=(0.0, 2.0),
)


@dataclass
class SweepRow:
    params: TuningParams
    train: Score
    test: Score | None  # held-out split (None when the labels have no split)


def sweep(backtest: Backtest, grid: Iterable[TuningParams], train: str | None = "train",
          test: str | None = "test") -> list[SweepRow]:
    rows = []
    for params in grid:
        result = backtest.run(params)
        rows.append(SweepRow(params, result.pooled(train),
                             result.pooled(test) if test else None))
    return rows


def _key(score: Score) -> tuple[float, float]:
    per_hour = score.per_hour
    return (score.f1, -(per_hour if not math.isnan(per_hour) else 0.0))


def select(rows: list[SweepRow], min_precision: float = 0.55,
           contract_only: bool = False) -> SweepRow:
    """The chosen row, by train figures only (see the module docstring). Falls back to the best
    train F1 overall when no row reaches `min_precision`."""
    pool = [r for r in rows if not contract_only or r.params.is_contract]
    if not pool:
        raise ValueError("nothing to select from")
    precise = [r for r in pool
               if not math.isnan(r.train.precision) and r.train.precision >= min_precision]
    return max(precise or pool, key=lambda r: _key(r.train))


def split_result(result: Result, train: str, test: str) -> tuple[Score, Score]:
    return result.pooled(train), result.pooled(test)
