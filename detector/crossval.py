"""Honest selection: grouped cross-validation on the fitting dataset, checks on the others.

Folds group videos (by channel where known), so a channel's quirks never sit on both sides.
In each fold the method is chosen or fitted on the other folds only and scored on this one;
the held-out folds' counts are pooled (the figure to report) and the spread over folds shown
beside it. The set a method finally ships with is chosen or fitted on every video of the
fitting dataset and only then scored on the check datasets, which nothing is fitted on.

Three methods side by side:
    seed      the first rule, nothing chosen (presets.SEED)
    rate      the best rate-only set of a grid of the rule's knobs (detector.search)
    learned   the learned scorer (detector.fit), fitted with its threshold chosen
"""

import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from chatlake_contracts import presets
from chatlake_contracts.detector import DetectorParams

from detector.backtest import Backtest
from detector.datasets import CHECKS, FIT_ON, Dataset
from detector.engine import TuningParams
from detector.fit import LearnedFit, pooled_over
from detector.scoring import EMPTY, Score
from detector.search import SEARCH_GRID, SweepRow, select

METHODS = ("seed", "rate", "learned")


@dataclass(frozen=True)
class Fold:
    train: tuple[str, ...]
    test: tuple[str, ...]


def grouped_folds(videos: list[str], groups: dict[str, str], k: int) -> list[Fold]:
    """`k` folds of `videos` with no group on both sides (fewer when there are fewer groups)."""
    from sklearn.model_selection import GroupKFold

    keys = [groups.get(v, v) for v in videos]
    k = min(k, len(set(keys)))
    if k < 2:
        raise ValueError(f"cross-validation needs at least 2 groups of videos, not {k}")
    return [Fold(tuple(videos[i] for i in train), tuple(videos[i] for i in test))
            for train, test in GroupKFold(n_splits=k).split(videos, groups=keys)]


@dataclass
class CrossValidated:
    pooled: Score  # the held-out folds' counts, pooled
    folds: list[Score]  # each fold's held-out score
    chosen: list[TuningParams]  # what each fold chose on its training videos

    def f1_spread(self) -> tuple[float, float]:
        """(mean, standard deviation) of the folds' F1."""
        f1 = [s.f1 for s in self.folds]
        return statistics.fmean(f1), statistics.pstdev(f1)

    def as_dict(self) -> dict:
        mean, sd = self.f1_spread()
        return {**self.pooled.as_dict(), "fold_f1_mean": round(mean, 6),
                "fold_f1_sd": round(sd, 6), "folds": [s.as_dict() for s in self.folds]}


def fixed(backtest: Backtest, params: TuningParams, folds: list[Fold]) -> CrossValidated:
    """A set that nothing is chosen for, scored fold by fold (for the spread)."""
    result = backtest.run(params)
    scores = [pooled_over(result, list(f.test)) for f in folds]
    return CrossValidated(pooled_over(result, result.videos), scores, [params] * len(folds))


def sweep_per_video(backtest: Backtest, grid: Iterable[TuningParams]
                    ) -> list[tuple[TuningParams, dict[str, Score]]]:
    """Every set's score per video, so that any subset is pooled without running it again."""
    out = []
    for params in grid:
        result = backtest.run(params)
        out.append((params, dict(zip(result.videos, result.per_video, strict=True))))
    return out


def _pool(scores: dict[str, Score], videos: Iterable[str]) -> Score:
    return sum((scores[v] for v in videos), EMPTY)


def choose(swept: list[tuple[TuningParams, dict[str, Score]]], videos: Iterable[str],
           min_precision: float) -> TuningParams:
    videos = tuple(videos)
    rows = [SweepRow(params, _pool(scores, videos), None) for params, scores in swept]
    return select(rows, min_precision).params


def cv_grid(swept: list[tuple[TuningParams, dict[str, Score]]], folds: list[Fold],
            min_precision: float) -> CrossValidated:
    by_params = {id(params): scores for params, scores in swept}
    chosen = [choose(swept, f.train, min_precision) for f in folds]
    tests = [_pool(by_params[id(params)], f.test) for params, f in zip(chosen, folds, strict=True)]
    return CrossValidated(sum(tests, EMPTY), tests, chosen)


def cv_learned(fit: LearnedFit, folds: list[Fold], min_precision: float) -> CrossValidated:
    tests, chosen = [], []
    for fold in folds:
        fitted = fit.fit(list(fold.train), min_precision)
        tests.append(pooled_over(fit.run(fitted.params.model), list(fold.test)))
        chosen.append(TuningParams(fitted.params))
    return CrossValidated(sum(tests, EMPTY), tests, chosen)


@dataclass
class Comparison:
    """Per method: its cross-validated figures on the fitting dataset, the set it ships with,
    and that set's figures on each check dataset."""

    fit_on: str
    folds: int
    min_precision: float
    cross_validated: dict[str, CrossValidated] = field(default_factory=dict)
    final: dict[str, TuningParams] = field(default_factory=dict)
    # method -> check dataset -> score of the method's final set
    checks: dict[str, dict[str, Score]] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "fit_on": self.fit_on, "folds": self.folds, "min_precision": self.min_precision,
            "methods": {m: {"params": self.final[m].as_dict(),
                            self.fit_on: self.cross_validated[m].as_dict(),
                            **{d: s.as_dict() for d, s in self.checks[m].items()}}
                        for m in self.cross_validated},
        }


def compare(data: dict[str, Dataset], folds: int = 5, min_precision: float = 0.55,
            grid: Iterable[TuningParams] = SEARCH_GRID,
            learned_base: DetectorParams = presets.LEARNED, version: str = "") -> Comparison:
    """The three methods on `data[FIT_ON]` by grouped cross-validation, then on the checks."""
    fitting = data[FIT_ON]
    backtest = fitting.backtest()
    split = grouped_folds(backtest.videos, fitting.groups, folds)
    out = Comparison(FIT_ON, len(split), min_precision)

    seed = TuningParams(presets.SEED)
    out.cross_validated["seed"], out.final["seed"] = fixed(backtest, seed, split), seed

    swept = sweep_per_video(backtest, grid)
    out.cross_validated["rate"] = cv_grid(swept, split, min_precision)
    out.final["rate"] = choose(swept, backtest.videos, min_precision)

    fit = LearnedFit(backtest, replace(learned_base, model=None))
    out.cross_validated["learned"] = cv_learned(fit, split, min_precision)
    out.final["learned"] = TuningParams(fit.fit(backtest.videos, min_precision, version).params)

    for method in METHODS:
        out.checks[method] = {}
    for name in (n for n in CHECKS if n in data):
        check = data[name].backtest()
        for method in METHODS:
            result = check.run(out.final[method])
            out.checks[method][name] = pooled_over(result, result.videos)
    return out


def gain(comparison: Comparison, method: str, against: str = "seed") -> dict[str, dict]:
    """Per dataset: F1 and precision of `method` minus `against`'s."""
    out = {}
    for dataset in (comparison.fit_on, *comparison.checks.get(method, {})):
        a = _score_of(comparison, method, dataset)
        b = _score_of(comparison, against, dataset)
        out[dataset] = {"f1": a.f1 - b.f1, "precision": _nan0(a.precision) - _nan0(b.precision)}
    return out


def _score_of(comparison: Comparison, method: str, dataset: str) -> Score:
    if dataset == comparison.fit_on:
        return comparison.cross_validated[method].pooled
    return comparison.checks[method][dataset]


def _nan0(value: float) -> float:
    return 0.0 if math.isnan(value) else value
