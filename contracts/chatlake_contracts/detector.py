"""The detection algorithm, once, for the PyFlink job and the main project's reference.

Both sides feed one channel's 5-second window counts, in window order, through `step`. The Flink
job keeps `ChannelState` in typed keyed state between calls; the reference keeps it in a dict.
Because the arithmetic lives only here, the two produce bit-identical detections on the same
windows; the end-to-end tests check that the windows themselves agree.

Rules (per broadcaster):
- Windows are `bucket_ms` long and aligned to the epoch (`window_end % bucket_ms == 0`).
- A window with no messages has no row upstream (SQL emits nothing for an empty window), so the
  gap between the last window seen and the current one is filled with zero counts here.
- A gap longer than `max_gap_ms` (default: the baseline length) means the channel went quiet or
  offline; its history is dropped and a fresh baseline starts, exactly as for a new channel.
  Filling it with zeros instead would leave a baseline of zeros (std 0) that fires on the first
  handful of messages after a break.
- The baseline is the `baseline_ms / bucket_ms` windows before the current one (60 by default).
  While fewer are known (the first 5 minutes of a channel) nothing fires.
- A window fires when `count > mean + k * std` of the baseline and `count >= min_count`, and no
  detection fired for this channel less than `cooldown_ms` before (window ends compared).
- Variants a tuning may choose (`chatlake tune`; the defaults are the rules above): `signal`
  compares the window's distinct chatters instead of its messages; `smooth` compares the sum of
  the last `smooth` windows (never reaching before a restart); `baseline` summarises the
  baseline windows by median and MAD * 1.4826, or by an exponentially weighted mean/std (span
  = the baseline windows, started at the first window after a restart); `min_ratio` also asks
  for `count >= min_ratio * centre`.
- `std` is the population standard deviation (divide by n): the baseline is the whole set of
  windows it describes, not a sample of a larger one. Mean and variance are computed from integer
  sums, so rounding cannot depend on the order of additions.
- Every window, fired or not, enters the baseline of the following ones.
- A window that ends at or before the last one seen (a duplicate or a late row) is ignored.
- With a `model` (`chatlake_contracts.learned`), a window's content features are scored
  instead: `k`, `signal`, `baseline`, `smooth` and `min_ratio` are not used, `baseline_ms` is
  the span of the features' baseline, and a detection fires at the peak within `peak_wait`
  windows of the crossing. The same gap, restart, min_count and cooldown rules apply.
"""

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from chatlake_contracts import learned
from chatlake_contracts.learned import LinearModel, ScoreState

SIGNALS = ("messages", "chatters")
BASELINES = ("meanstd", "median_mad", "ewma")
# MAD * 1.4826 estimates the standard deviation of normal data, so k means the same for both.
MAD_TO_STD = 1.4826


@dataclass(frozen=True)
class DetectorParams:
    bucket_ms: int = 5_000
    baseline_ms: int = 300_000
    k: float = 3.0
    cooldown_ms: int = 30_000
    # A quiet channel's baseline can be all zeros (std 0): a floor keeps 1 message from firing.
    min_count: int = 5
    # None: the baseline length. A longer run of empty windows restarts the baseline.
    max_gap_ms: int | None = None

    # Which count of a window is compared: "messages" or distinct "chatters".
    signal: str = "messages"
    # How the baseline windows are summarised: "meanstd", "median_mad" or "ewma".
    baseline: str = "meanstd"
    # Compare the sum of the last `smooth` windows: less Poisson noise in quiet chat.
    smooth: int = 1
    # Also require count >= min_ratio * the baseline centre (0: off).
    min_ratio: float = 0.0

    # The learned scorer (None: the rule above). With it, fire at the best window among the
    # crossing and the `peak_wait` after it, once `warmup_ms` of the channel's chat is known.
    model: LinearModel | None = None
    peak_wait: int = 2
    warmup_ms: int = 60_000

    def __post_init__(self) -> None:
        if self.signal not in SIGNALS:
            raise ValueError(f"signal must be one of {', '.join(SIGNALS)}")
        if self.baseline not in BASELINES:
            raise ValueError(f"baseline must be one of {', '.join(BASELINES)}")
        if self.smooth < 1 or self.min_ratio < 0:
            raise ValueError("smooth must be >= 1 and min_ratio >= 0")
        if self.bucket_ms <= 0 or self.baseline_ms < self.bucket_ms:
            raise ValueError("need bucket_ms > 0 and baseline_ms >= bucket_ms")
        if self.baseline_ms % self.bucket_ms:
            raise ValueError("baseline_ms must be a whole number of buckets")
        if self.k < 0 or self.cooldown_ms < 0 or self.min_count < 0:
            raise ValueError("k, cooldown_ms and min_count must not be negative")
        if self.model is not None and not isinstance(self.model, LinearModel):
            raise ValueError("model must be a LinearModel")
        if not 0 <= self.peak_wait <= self.max_gap_windows or self.warmup_ms < 0:
            raise ValueError("peak_wait must be between 0 and the gap limit in windows, and "
                             "warmup_ms must not be negative")

    @property
    def baseline_windows(self) -> int:
        return self.baseline_ms // self.bucket_ms

    @property
    def max_gap_windows(self) -> int:
        gap = self.baseline_ms if self.max_gap_ms is None else self.max_gap_ms
        return gap // self.bucket_ms

    @property
    def warmup_windows(self) -> int:
        return self.warmup_ms // self.bucket_ms


@dataclass
class ChannelState:
    """What the detector remembers about one channel between windows."""

    last_window_end: int | None = None
    # Counts (the signal, smoothed) of the most recent windows, oldest first, at most
    # `baseline_windows` long.
    history: list[int] = field(default_factory=list)
    last_detection_end: int | None = None
    # The raw signal of the last `smooth - 1` windows (smoothing only).
    recent: list[int] = field(default_factory=list)
    # [mean, variance] of the exponentially weighted baseline (baseline "ewma" only).
    ewma: list[float] = field(default_factory=list)
    # The learned scorer's baseline and ring (learned.ScoreState.to_list), and the detection
    # waiting for its peak: _PENDING fields.
    scores: list[float] = field(default_factory=list)
    pending: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class Detection:
    broadcaster_id: str
    window_start: int  # epoch ms
    window_end: int  # epoch ms
    message_count: int
    chatter_count: int
    baseline_mean: float
    baseline_std: float
    threshold: float
    score: float | None = None  # the learned scorer's score (None for the rule)


def baseline_stats(history: list[int], k: float) -> tuple[float, float, float]:
    """Mean, population std and `mean + k * std` of a list of window counts."""
    n = len(history)
    total = sum(history)
    squares = sum(c * c for c in history)
    mean = total / n
    # Exact integers until the one division: n * sum(c^2) - (sum c)^2 >= 0 always.
    std = math.sqrt((n * squares - total * total) / (n * n))
    return mean, std, mean + k * std


def step(state: ChannelState, params: DetectorParams, broadcaster_id: str, window_start: int,
         window_end: int, message_count: int, chatter_count: int,
         content: Sequence[int] | None = None) -> Detection | None:
    """Feed one window into `state` (mutated in place); return a detection if it fires.
    `content` are the window's `window_content.CONTENT_FIELDS` (the learned scorer's input)."""
    if params.model is not None:
        return _step_scored(state, params, broadcaster_id, window_start, window_end,
                            learned.aggregates(message_count, chatter_count, content))
    if state.last_window_end is not None:
        if window_end <= state.last_window_end:
            return None
        empty = (window_end - state.last_window_end) // params.bucket_ms - 1
        if empty > params.max_gap_windows:
            state.history.clear()
            state.recent.clear()
            state.ewma.clear()
            state.last_detection_end = None
        elif empty > 0:
            # Enough zeros to flush the history and the smoothing; all of them for an EWMA.
            flush = params.baseline_windows + params.smooth
            for _ in range(empty if params.baseline == "ewma" else min(empty, flush)):
                _remember(state, params, _smoothed(state, params, 0))

    value = message_count if params.signal == "messages" else chatter_count
    count = _smoothed(state, params, value)
    detection = None
    # State kept under other parameters (a restart with a shorter baseline) may be longer.
    del state.history[:-params.baseline_windows]
    if len(state.history) == params.baseline_windows:
        center, spread = _baseline(state, params)
        threshold = center + params.k * spread
        cooled = (state.last_detection_end is None
                  or window_end - state.last_detection_end >= params.cooldown_ms)
        if (count > threshold and count >= params.min_count and cooled
                and (not params.min_ratio or count >= params.min_ratio * center)):
            detection = Detection(broadcaster_id, window_start, window_end, message_count,
                                  chatter_count, float(center), spread, threshold)
            state.last_detection_end = window_end
    _remember(state, params, count)
    state.last_window_end = window_end
    return detection


# ChannelState.pending: the peak so far (window, counts, score, baseline) and the deadline.
_P_START, _P_END, _P_MESSAGES, _P_CHATTERS, _P_SCORE, _P_MEAN, _P_STD, _P_DEADLINE = range(8)


def _step_scored(state: ChannelState, params: DetectorParams, broadcaster_id: str,
                 window_start: int, window_end: int, window: tuple[int, ...]
                 ) -> Detection | None:
    model = params.model
    if state.last_window_end is not None and window_end <= state.last_window_end:
        return None
    detection = None
    if state.pending and window_end > state.pending[_P_DEADLINE]:
        detection = _emit_pending(state, broadcaster_id, model)
    scores = ScoreState.from_list(state.scores)
    if state.last_window_end is not None:
        empty = (window_end - state.last_window_end) // params.bucket_ms - 1
        if empty > params.max_gap_windows:
            scores = ScoreState.empty()
            state.last_detection_end = None
        else:
            for _ in range(empty):
                learned.advance(scores, learned.ZERO, params.baseline_windows)
    found, mean, std = learned.advance(scores, window, params.baseline_windows)
    score = model.score(learned.vector(found, model))
    if state.pending:
        if score > state.pending[_P_SCORE]:
            state.pending[:_P_DEADLINE] = [window_start, window_end, window[0], window[1], score,
                                           mean, std]
        if window_end >= state.pending[_P_DEADLINE]:
            detection = _emit_pending(state, broadcaster_id, model)
    elif (score > model.threshold and window[0] >= params.min_count
          and scores.seen > params.warmup_windows
          and (state.last_detection_end is None
               or window_end - state.last_detection_end >= params.cooldown_ms)):
        state.pending[:] = [window_start, window_end, window[0], window[1], score, mean, std,
                            window_end + params.peak_wait * params.bucket_ms]
        if params.peak_wait == 0:
            detection = _emit_pending(state, broadcaster_id, model)
    state.scores = scores.to_list()
    state.last_window_end = window_end
    return detection


def _emit_pending(state: ChannelState, broadcaster_id: str, model: LinearModel) -> Detection:
    p = state.pending
    detection = Detection(broadcaster_id, int(p[_P_START]), int(p[_P_END]), int(p[_P_MESSAGES]),
                          int(p[_P_CHATTERS]), p[_P_MEAN], p[_P_STD], model.threshold,
                          p[_P_SCORE])
    state.last_detection_end = detection.window_end
    state.pending.clear()
    return detection


def _smoothed(state: ChannelState, params: DetectorParams, value: int) -> int:
    """This window's signal plus that of the `smooth - 1` windows before it."""
    if params.smooth == 1:
        return value
    del state.recent[:-(params.smooth - 1)]
    count = value + sum(state.recent)
    state.recent.append(value)
    del state.recent[:-(params.smooth - 1)]
    return count


def _baseline(state: ChannelState, params: DetectorParams) -> tuple[float, float]:
    """(centre, spread) of the baseline windows, before the current one enters them."""
    if params.baseline == "meanstd":
        mean, std, _ = baseline_stats(state.history, params.k)
        return mean, std
    if params.baseline == "median_mad":
        median = statistics.median(state.history)
        mad = statistics.median([abs(c - median) for c in state.history])
        return median, MAD_TO_STD * mad
    mean, variance = state.ewma
    return mean, variance ** 0.5


def _remember(state: ChannelState, params: DetectorParams, count: int) -> None:
    """Every window, fired or not, enters the baseline of the following ones."""
    state.history.append(count)
    del state.history[:-params.baseline_windows]
    if params.baseline == "ewma":
        if not state.ewma:  # the first window after a (re)start
            state.ewma[:] = [float(count), 0.0]
        else:
            alpha = 2.0 / (params.baseline_windows + 1)
            mean, variance = state.ewma
            delta = count - mean
            state.ewma[:] = [mean + alpha * delta,
                             (1 - alpha) * (variance + alpha * delta * delta)]


def run(params: DetectorParams, windows: list[tuple],
        channels: Mapping[str, DetectorParams] | None = None) -> list[Detection]:
    """Run the detector over `(broadcaster_id, window_start, window_end, message_count,
    chatter_count, *content)` rows of any number of channels (content: the
    `window_content.CONTENT_FIELDS`, needed by a model); each channel's rows are taken in window
    order, with `channels[broadcaster_id]` when given, else `params`. Returns detections
    ordered by (broadcaster_id, window_end); a detection still waiting for its peak after the
    last window is left out, as the stream would not have emitted it yet."""
    channels = channels or {}
    states: dict[str, ChannelState] = {}
    detections = []
    for row in sorted(windows, key=lambda r: (r[0], r[2])):
        found = step(states.setdefault(row[0], ChannelState()), channels.get(row[0], params),
                     *row[:5], content=row[5:] or None)
        if found is not None:
            detections.append(found)
    return detections
