"""Fitting the learned scorer on labelled videos and choosing its operating point.

The training rows are the windows the stream would score: with chat, past the warm-up since the
channel's (re)start. A window's target is what scoring would call it: a detection at its end
would be a true positive (its clip overlaps a labelled interval). The model is a logistic
regression on standardised features (scikit-learn); what it ships as is the contract's
`LinearModel` (center, scale, coefficients), so the stream evaluates it without scikit-learn.

The threshold is then chosen by replaying the training videos through the real peak and
cooldown rules: the best pooled F1 among thresholds whose precision reaches the floor (the
selection rule of `detector.search`), never looking at the videos it will be reported on.
"""

from dataclasses import dataclass, replace

import numpy as np
from chatlake_contracts import learned
from chatlake_contracts.detector import DetectorParams
from chatlake_contracts.learned import LinearModel

from detector.backtest import Backtest, Result
from detector.engine import TuningParams
from detector.scoring import Score, pool
from detector.search import SweepRow, select

# Candidate thresholds: these quantiles of the training windows' scores (a highlight is rare:
# the operating point sits in the top few percent).
THRESHOLD_QUANTILES = np.concatenate([np.linspace(0.90, 0.99, 19), np.linspace(0.9925, 0.999, 8)])
REGULARIZATION_C = 1.0


@dataclass(frozen=True)
class Fitted:
    params: DetectorParams  # with the model and its chosen threshold
    train: Score  # pooled over the videos it was fitted and chosen on


class LearnedFit:
    """One backtest's feature rows and targets, fitted and thresholded on any subset of its
    scored videos."""

    def __init__(self, backtest: Backtest, base: DetectorParams) -> None:
        self.backtest = backtest
        self.base = base
        series = backtest.windows.get(base.bucket_ms)
        features, seen = backtest.engine.features(base)
        video_index = backtest.scored_index(base.bucket_ms)[series.video]
        usable = series.present & (seen > base.warmup_windows) & (video_index >= 0)
        self.rows = np.flatnonzero(usable)
        self.x = features[self.rows]
        self.row_video = video_index[self.rows]
        self.y = backtest.scorer.true_positive(self.row_video, series.end_s[self.rows])

    def _mask(self, videos: list[str]) -> np.ndarray:
        wanted = [self.backtest.videos.index(v) for v in videos]
        return np.isin(self.row_video, wanted)

    def fit_model(self, videos: list[str], version: str = "") -> LinearModel:
        """The logistic regression on these videos' rows (threshold 0: choose one next)."""
        from sklearn.linear_model import LogisticRegression

        mask = self._mask(videos)
        x, y = self.x[mask], self.y[mask]
        if len(set(y.tolist())) < 2:
            raise ValueError(f"cannot fit on {len(videos)} video(s): their windows are all "
                             f"{'positive' if y.any() else 'negative'}")
        center = x.mean(axis=0)
        scale = x.std(axis=0)
        scale[scale <= 0] = 1.0
        regression = LogisticRegression(C=REGULARIZATION_C, max_iter=2000)
        regression.fit((x - center) / scale, y)
        return LinearModel(learned.FEATURES, tuple(center.tolist()), tuple(scale.tolist()),
                           tuple(regression.coef_[0].tolist()),
                           float(regression.intercept_[0]), 0.0, version)

    def run(self, model: LinearModel) -> Result:
        return self.backtest.run(TuningParams(replace(self.base, model=model)))

    def choose_threshold(self, model: LinearModel, videos: list[str],
                         min_precision: float) -> Fitted:
        """The model at the threshold with the best pooled F1 on `videos` whose precision
        reaches `min_precision` (else the best F1)."""
        mask = self._mask(videos)
        score = _scores(self.x[mask], model)
        candidates = sorted(set(np.round(np.quantile(score, THRESHOLD_QUANTILES), 4).tolist()))
        rows = []
        for threshold in candidates:
            result = self.run(replace(model, threshold=float(threshold)))
            rows.append(SweepRow(TuningParams(result.params.detector),
                                 pooled_over(result, videos), None))
        best = select(rows, min_precision)
        return Fitted(best.params.detector, best.train)

    def fit(self, videos: list[str], min_precision: float, version: str = "") -> Fitted:
        return self.choose_threshold(self.fit_model(videos, version), videos, min_precision)


def _scores(x: np.ndarray, model: LinearModel) -> np.ndarray:
    columns = [learned.FEATURES.index(name) for name in model.features]
    z = (x[:, columns] - np.array(model.center)) / np.array(model.scale)
    return model.intercept + z @ np.array(model.coef)


def pooled_over(result: Result, videos: list[str]) -> Score:
    wanted = set(videos)
    return pool([s for v, s in zip(result.videos, result.per_video, strict=True)
                 if v in wanted])
