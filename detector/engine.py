"""One parameter set over a window series -> detections, vectorised.

For every signal but `emote_only` this is exactly `chatlake_contracts.detector` (`step`/`run`)
with the same parameters: the same windows fire, and `tests/tuning` holds the two equal on real
chat. How the contract's sequential rules become array operations:
- empty windows are zeros (the series is dense), a run of more than `max_gap` empty windows
  starts a new segment (the contract clears its history and cooldown there), and each video
  starts one;
- a window can fire once `baseline_windows` windows of its segment precede it; the baseline sums
  are differences of cumulative sums of those windows, and mean, std and threshold use the
  contract's arithmetic (integer sums, one division, population std), so they are bit-equal;
- the cooldown is the one sequential rule: a short loop over the windows above threshold;
- only windows with chat fire: the stream never sees an empty window (it fills them in when the
  next one arrives), which matters once `smooth` sums several windows.

Mean/std (or median/MAD, EWMA) depend only on the bucket, the baseline length, the gap rule and
the signal, so they are cached across the k / cooldown / min_count values of a sweep.

A learned model (`DetectorParams.model`) is scored from the contract's own feature code
(`chatlake_contracts.learned.advance`, run once per bucket, baseline span and gap rule over the
dense windows, empty ones as zeros, restarting where the contract does), then the linear score
as whole columns in the contract's order of operations, and the peak rule as a short loop.
"""

from dataclasses import dataclass, field, replace

import numpy as np
from chatlake_contracts import learned, window_content
from chatlake_contracts.detector import MAD_TO_STD, DetectorParams
from chatlake_contracts.detector import SIGNALS as DETECTOR_SIGNALS
from chatlake_contracts.learned import LinearModel
from numpy.lib.stride_tricks import sliding_window_view

from detector.windows import SIGNALS, WindowSeries

_MEDIAN_CHUNK_ROWS = 20_000


@dataclass(frozen=True)
class TuningParams:
    """Detector parameters and the signal family, which `detector` does not carry itself (so
    that baselines can be cached per family). `applied()` is what the running detector runs."""

    detector: DetectorParams = field(default_factory=DetectorParams)
    signal: str = "messages"  # which window count is compared: messages, chatters, emote_only
    baseline: str = "meanstd"  # meanstd (the seed detector's), median_mad, ewma
    # Compare the sum of the last `smooth` windows (a hopping window evaluated every bucket):
    # less Poisson noise at low chat rates without losing the bucket's time resolution.
    smooth: int = 1
    # Also require signal >= min_ratio * baseline centre (a relative jump, 0: off).
    min_ratio: float = 0.0

    def __post_init__(self) -> None:
        if self.signal not in SIGNALS:  # the backtest also has emote_only
            raise ValueError(f"signal must be one of {', '.join(SIGNALS)}")
        # The other options are the detector's own: it checks them.
        replace(self.detector, baseline=self.baseline, smooth=self.smooth,
                min_ratio=self.min_ratio)

    @property
    def is_contract(self) -> bool:
        """True when the running detector can apply these parameters (all but emote_only:
        its window SQL counts messages and chatters)."""
        return self.signal in DETECTOR_SIGNALS

    def applied(self) -> DetectorParams:
        """The running detector's parameters for this set (raises for emote_only)."""
        return replace(self.detector, signal=self.signal, baseline=self.baseline,
                       smooth=self.smooth, min_ratio=self.min_ratio)

    @classmethod
    def of(cls, detector: DetectorParams) -> "TuningParams":
        """A running detector's set (a params file's, a preset) as the engine scores it."""
        return cls(detector, signal=detector.signal, baseline=detector.baseline,
                   smooth=detector.smooth, min_ratio=detector.min_ratio)

    def with_detector(self, **changes) -> "TuningParams":
        return replace(self, detector=replace(self.detector, **changes))

    def as_dict(self) -> dict:
        d = self.detector
        if d.model is not None:
            return {"bucket_s": d.bucket_ms / 1000, "baseline_s": d.baseline_ms / 1000,
                    "cooldown_s": d.cooldown_ms / 1000, "min_count": d.min_count,
                    "max_gap_s": None if d.max_gap_ms is None else d.max_gap_ms / 1000,
                    "model": d.model.version or "unnamed", "threshold": d.model.threshold,
                    "peak_wait": d.peak_wait, "warmup_s": d.warmup_ms / 1000}
        return {"bucket_s": d.bucket_ms / 1000, "baseline_s": d.baseline_ms / 1000, "k": d.k,
                "cooldown_s": d.cooldown_ms / 1000, "min_count": d.min_count,
                "max_gap_s": None if d.max_gap_ms is None else d.max_gap_ms / 1000,
                "signal": self.signal, "baseline": self.baseline, "smooth": self.smooth,
                "min_ratio": self.min_ratio}


def segment_position(series: WindowSeries, max_gap_windows: int) -> tuple[np.ndarray, np.ndarray]:
    """(segment id, windows since the segment start) of every window."""
    index = np.arange(len(series))
    starts = series.present & ((series.gap_before < 0) | (series.gap_before > max_gap_windows))
    start_index = np.maximum.accumulate(np.where(starts, index, 0))
    return np.cumsum(starts), index - start_index


def smoothed(x: np.ndarray, position: np.ndarray, m: int) -> np.ndarray:
    """Sum of each window and the m-1 before it, never reaching before its segment's start
    (the stream does not remember windows from before a restart)."""
    if m == 1:
        return x
    index = np.arange(len(x))
    csum = np.concatenate(([0], np.cumsum(x)))
    low = np.maximum(index - m + 1, index - position)
    return csum[index + 1] - csum[low]


def _meanstd(x: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    # Baseline of window i = windows i-n .. i-1; the contract's exact integer arithmetic.
    total = np.zeros(len(x), np.int64)
    squares = np.zeros(len(x), np.int64)
    csum = np.concatenate(([0], np.cumsum(x)))
    csq = np.concatenate(([0], np.cumsum(x * x)))
    total[n:] = csum[n:-1] - csum[:-n - 1]
    squares[n:] = csq[n:-1] - csq[:-n - 1]
    mean = total / n
    std = np.sqrt((n * squares - total * total) / (n * n))
    return mean, std


def _median_mad(x: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    center = np.zeros(len(x))
    spread = np.zeros(len(x))
    if len(x) <= n:
        return center, spread
    views = sliding_window_view(x[:-1], n)  # row j = windows j .. j+n-1, the baseline of j+n
    for lo in range(0, len(views), _MEDIAN_CHUNK_ROWS):
        block = views[lo:lo + _MEDIAN_CHUNK_ROWS].astype(float)
        med = np.median(block, axis=1)
        mad = np.median(np.abs(block - med[:, None]), axis=1)
        center[n + lo:n + lo + len(block)] = med
        spread[n + lo:n + lo + len(block)] = MAD_TO_STD * mad
    return center, spread


def _ewma(x: np.ndarray, n: int, segment: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exponentially weighted mean and std of the windows before each one (span n, restarted
    with each segment): two floats of state per channel in the stream."""
    alpha = 2.0 / (n + 1)
    center = np.zeros(len(x))
    spread = np.zeros(len(x))
    mean = var = 0.0
    previous = -1
    values = x.tolist()
    segments = segment.tolist()
    for i, value in enumerate(values):
        if segments[i] != previous:
            mean, var, previous = float(value), 0.0, segments[i]
            center[i] = mean
            continue
        center[i], spread[i] = mean, var ** 0.5
        delta = value - mean
        mean += alpha * delta
        var = (1 - alpha) * (var + alpha * delta * delta)
    return center, spread


def learned_features(series: WindowSeries, span_windows: int, max_gap_windows: int
                     ) -> tuple[np.ndarray, np.ndarray]:
    """(features of every window with chat, one column per learned.FEATURES, NaN rows for
    empty windows; windows seen since the restart), by the contract's `advance`."""
    _, position = segment_position(series, max_gap_windows)
    columns = ("messages", "chatters", *window_content.CONTENT_FIELDS)
    rows = np.column_stack([series.counts[c] for c in columns]).tolist()
    present = series.present.tolist()
    starts = (series.present & (position == 0)).tolist()
    out = np.full((len(rows), len(learned.FEATURES)), np.nan)
    seen = np.zeros(len(rows), np.int64)
    state, empty = learned.ScoreState.empty(), 0
    for i, row in enumerate(rows):
        if not present[i]:
            empty += 1
            continue
        if starts[i]:
            state, empty = learned.ScoreState.empty(), 0
        for _ in range(empty):
            learned.advance(state, learned.ZERO, span_windows)
        empty = 0
        found, _, _ = learned.advance(state, learned.aggregates(row[0], row[1], row[2:]),
                                      span_windows)
        out[i] = [found[name] for name in learned.FEATURES]
        seen[i] = state.seen
    return out, seen


def linear_score(features: np.ndarray, model: LinearModel) -> np.ndarray:
    """`LinearModel.score` of every row, column by column in the contract's order."""
    total = np.full(len(features), float(model.intercept))
    for name, center, scale, coef in zip(model.features, model.center, model.scale, model.coef,
                                         strict=True):
        total = total + coef * ((features[:, learned.FEATURES.index(name)] - center) / scale)
    return total


class Engine:
    """Detections of many parameter sets over one input; caches the baselines."""

    def __init__(self, series_for_bucket) -> None:
        # series_for_bucket(bucket_ms) -> WindowSeries (a WindowCache.get)
        self._series_for = series_for_bucket
        self._baselines: dict[tuple, tuple[np.ndarray, ...]] = {}
        self._features: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}

    def features(self, d: DetectorParams) -> tuple[np.ndarray, np.ndarray]:
        """learned_features of the bucket's series, cached per span and gap rule."""
        key = (d.bucket_ms, d.baseline_windows, d.max_gap_windows)
        if key not in self._features:
            self._features[key] = learned_features(self.series(d.bucket_ms),
                                                   d.baseline_windows, d.max_gap_windows)
        return self._features[key]

    def scores(self, d: DetectorParams) -> np.ndarray:
        """The model's score of every window (NaN for empty windows)."""
        return linear_score(self.features(d)[0], d.model)

    def _detect_learned(self, d: DetectorParams) -> np.ndarray:
        series = self.series(d.bucket_ms)
        features, seen = self.features(d)
        score = linear_score(features, d.model)
        segment, _ = segment_position(series, d.max_gap_windows)
        crossing = (series.present & (score > d.model.threshold)
                    & (series.counts["messages"] >= d.min_count) & (seen > d.warmup_windows))
        return _peaks(np.flatnonzero(crossing), np.where(series.present, score, -np.inf),
                      series, segment, d)

    def series(self, bucket_ms: int) -> WindowSeries:
        return self._series_for(bucket_ms)

    def _baseline(self, params: TuningParams) -> tuple[np.ndarray, ...]:
        d = params.detector
        key = (d.bucket_ms, d.baseline_windows, d.max_gap_windows, params.signal, params.baseline,
               params.smooth)
        if key not in self._baselines:
            series = self.series(d.bucket_ms)
            segment, position = segment_position(series, d.max_gap_windows)
            x = smoothed(series.counts[params.signal], position, params.smooth)
            n = d.baseline_windows
            if params.baseline == "meanstd":
                center, spread = _meanstd(x, n)
            elif params.baseline == "median_mad":
                center, spread = _median_mad(x, n)
            else:
                center, spread = _ewma(x, n, segment)
            self._baselines[key] = (segment, position >= n, x, center, spread)
        return self._baselines[key]

    def detect(self, params: TuningParams) -> np.ndarray:
        """Indices (into the bucket's series) of the windows that fire, in series order."""
        d = params.detector
        if d.model is not None:
            return self._detect_learned(d)
        series = self.series(d.bucket_ms)
        segment, full, x, center, spread = self._baseline(params)
        threshold = center + d.k * spread
        fires = full & series.present & (x > threshold) & (x >= d.min_count)
        if params.min_ratio:
            fires &= x >= params.min_ratio * center
        above = np.flatnonzero(fires)
        if d.cooldown_ms == 0 or len(above) == 0:
            return above
        # Compared in whole milliseconds, as the contract does.
        ends_ms = np.rint(series.end_s[above] * 1000).astype(np.int64)
        return _cooled(above, segment[above], ends_ms, d.cooldown_ms)


def _cooled(candidates: np.ndarray, segments: np.ndarray, ends_ms: np.ndarray,
            cooldown_ms: int) -> np.ndarray:
    """Keep a candidate unless one kept in the same segment ended less than cooldown before."""
    kept = []
    last_segment, last_end = -1, 0
    for index, seg, end in zip(candidates.tolist(), segments.tolist(), ends_ms.tolist(),
                               strict=True):
        if seg != last_segment or end - last_end >= cooldown_ms:
            kept.append(index)
            last_segment, last_end = seg, end
    return np.array(kept, dtype=np.int64)


def _peaks(crossings: np.ndarray, score: np.ndarray, series: WindowSeries, segment: np.ndarray,
           d: DetectorParams) -> np.ndarray:
    """The contract's peak rule over the crossing windows, in order: a crossing that is past
    the cooldown (same segment) waits `peak_wait` windows and fires at the best-scoring window
    among them (the first on ties), if the video goes on that long (the stream emits it with
    a later window); the cooldown then counts from that peak."""
    ends_ms = np.rint(series.end_s * 1000).astype(np.int64)
    video = series.video
    last_present = np.zeros(len(series.video_ids), np.int64)
    present_index = np.flatnonzero(series.present)
    last_present[video[present_index]] = present_index  # ascending: the last one wins
    kept = []
    blocked_until, last_segment, last_end = -1, -1, 0
    for i in crossings.tolist():
        if i <= blocked_until:
            continue  # inside a pending detection's wait
        if segment[i] == last_segment and ends_ms[i] - last_end < d.cooldown_ms:
            continue
        if last_present[video[i]] < i + d.peak_wait:
            continue  # the video ends before the wait does: never emitted
        peak = i + int(np.argmax(score[i:i + d.peak_wait + 1]))
        kept.append(peak)
        blocked_until, last_segment, last_end = i + d.peak_wait, segment[i], ends_ms[peak]
    return np.array(kept, dtype=np.int64)
