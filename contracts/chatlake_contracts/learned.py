"""The learned detector's arithmetic: window features relative to the channel's own baseline, a
linear score, and the peak rule. One copy for the PyFlink job, the reference and the backtest
engine (`detector.engine` calls `advance` over dense windows), so all three agree bit for bit.

A window is described by its `Aggregates` (counts the SQL computes, `window_content`). The
channel keeps an exponentially weighted mean of each (span = the baseline windows) and the
variance of messages and chatters, plus a ring of the last RING windows. A window's features,
computed before it enters the baseline:

    messages_z1/z3/z8   (messages in the last K windows - K * mean) / sqrt(K * variance + 1)
    chatters_z3         the same for distinct chatters over 3 windows
    mean_length         log((units / message over the last 4 windows + 1)
                            / (baseline units / message + 1)); highlights bring short messages
    <x>_share           share of x among the messages of the last 4 windows minus the baseline
                        share, for short, emote-only, repeated (copypasta), caps and laughter

The `+ 1` keeps quiet channels (variance near 0) from producing huge z-scores. Empty windows
enter as zeros, as in the rule detector. The score is `intercept + sum(coef * (x - center) /
scale)` in feature order (a logistic regression's log-odds); a window crosses when the score is
above the threshold, it has at least `min_count` messages, the channel has seen `warmup`
windows since its (re)start, and the cooldown since the last detection has passed. Then the
detector waits up to `peak_wait` windows and fires at the highest-scoring window among the
crossing and those after it (earliest on ties); the cooldown counts from that peak.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

FEATURES = ("messages_z1", "messages_z3", "messages_z8", "chatters_z3", "mean_length",
            "short_share", "emote_only_share", "repeat_share", "caps_share", "laugh_share")

# Aggregates of one window, in this order (repeats = messages - distinct texts).
AGGREGATES = ("messages", "chatters", "text_units", "short", "emote_only", "repeats", "caps",
              "laugh")
_N, _C, _UNITS, _SHORT, _EMOTE, _REPEAT, _CAPS, _LAUGH = range(len(AGGREGATES))
_SHARES = ((_SHORT, "short_share"), (_EMOTE, "emote_only_share"), (_REPEAT, "repeat_share"),
           (_CAPS, "caps_share"), (_LAUGH, "laugh_share"))
RING = 8
CONTENT_WINDOWS = 4
ZERO = (0,) * len(AGGREGATES)


class ModelError(ValueError):
    """A model that cannot be evaluated: the message names the problem."""


@dataclass(frozen=True)
class LinearModel:
    """A linear score over named features (coefficients of a standardised logistic
    regression), its threshold, and where it came from."""

    features: tuple[str, ...]
    center: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    threshold: float
    version: str = ""

    def __post_init__(self) -> None:
        unknown = [f for f in self.features if f not in FEATURES]
        if unknown:
            raise ModelError(f"unknown feature(s) {', '.join(unknown)} (known: "
                             f"{', '.join(FEATURES)})")
        if len(set(self.features)) != len(self.features):
            raise ModelError("a feature is named twice")
        for name in ("center", "scale", "coef"):
            if len(getattr(self, name)) != len(self.features):
                raise ModelError(f"{len(getattr(self, name))} {name} value(s) for "
                                 f"{len(self.features)} feature(s)")
        numbers = (*self.center, *self.scale, *self.coef, self.intercept, self.threshold)
        if not all(isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)
                   for x in numbers):
            raise ModelError("every center, scale, coef, intercept and threshold must be a "
                             "finite number (no NaN or infinity)")
        if any(s <= 0 for s in self.scale):
            raise ModelError("every scale must be > 0")

    @classmethod
    def from_dict(cls, values: object) -> "LinearModel":
        if not isinstance(values, dict):
            raise ModelError("a model must be an object")
        keys = {"features", "center", "scale", "coef", "intercept", "threshold", "version"}
        unknown = sorted(set(values) - keys)
        missing = sorted(keys - {"version"} - set(values))
        if unknown or missing:
            raise ModelError(f"model keys: unknown {unknown}, missing {missing}")
        try:
            return cls(tuple(values["features"]), *(tuple(values[k]) for k in
                                                    ("center", "scale", "coef")),
                       values["intercept"], values["threshold"], str(values.get("version", "")))
        except TypeError as error:
            raise ModelError(f"model: {error}") from None

    def score(self, x: Sequence[float]) -> float:
        total = self.intercept
        for value, center, scale, coef in zip(x, self.center, self.scale, self.coef,
                                              strict=True):
            total += coef * ((value - center) / scale)
        return total


def aggregates(message_count: int, chatter_count: int, content: Sequence[int] | None
               ) -> tuple[int, ...]:
    """A window's Aggregates from its counts and `window_content.CONTENT_FIELDS` values."""
    units, short, emote, distinct, caps, laugh = content or (0, 0, 0, message_count, 0, 0)
    return (message_count, chatter_count, units, short, emote, message_count - distinct, caps,
            laugh)


def _ring_sum(ring: list[float], index: int, windows: int) -> float:
    width = len(AGGREGATES)
    total = 0.0
    for start in range(max(len(ring) - windows * width, 0), len(ring), width):
        total += ring[start + index]
    return total


def features(ring: list[float], means: list[float], variances: list[float]) -> dict[str, float]:
    """The FEATURES of the newest window in `ring`, against the baseline before it."""
    m_n, m_c = means[_N], means[_C]
    v_n, v_c = variances
    out = {}
    for k in (1, 3, 8):
        out[f"messages_z{k}"] = (_ring_sum(ring, _N, k) - k * m_n) / math.sqrt(k * v_n + 1.0)
    out["chatters_z3"] = (_ring_sum(ring, _C, 3) - 3 * m_c) / math.sqrt(3 * v_c + 1.0)
    messages = max(_ring_sum(ring, _N, CONTENT_WINDOWS), 1.0)
    base = max(m_n, 1e-9)
    out["mean_length"] = math.log((_ring_sum(ring, _UNITS, CONTENT_WINDOWS) / messages + 1.0)
                                  / (means[_UNITS] / base + 1.0))
    for index, name in _SHARES:
        out[name] = _ring_sum(ring, index, CONTENT_WINDOWS) / messages - means[index] / base
    return out


@dataclass
class ScoreState:
    """What the learned detector remembers about a channel (flat floats: Flink keeps them as
    one DOUBLE array each)."""

    means: list[float]
    variances: list[float]  # messages, chatters
    ring: list[float]  # up to RING windows of AGGREGATES, oldest first
    seen: int  # windows since the (re)start

    @classmethod
    def empty(cls) -> "ScoreState":
        return cls([], [], [], 0)

    def to_list(self) -> list[float]:
        return [float(self.seen), *self.means, *self.variances, *self.ring]

    @classmethod
    def from_list(cls, values: Sequence[float]) -> "ScoreState":
        if not values:
            return cls.empty()
        width = len(AGGREGATES)
        seen, rest = int(values[0]), list(values[1:])
        return cls(rest[:width], rest[width:width + 2], rest[width + 2:], seen)


def advance(state: ScoreState, window: Sequence[int], span_windows: int
            ) -> tuple[dict[str, float], float, float]:
    """Add one window (its Aggregates; ZERO for an empty one) to `state` (mutated); return its
    features and the messages baseline (mean, std) they were computed against."""
    width = len(AGGREGATES)
    if not state.means:  # the first window after a (re)start is its own baseline
        state.means = [float(v) for v in window]
        state.variances = [0.0, 0.0]
    state.ring.extend(float(v) for v in window)
    del state.ring[:-RING * width]
    found = features(state.ring, state.means, state.variances)
    baseline = (state.means[_N], math.sqrt(state.variances[0]))
    alpha = 2.0 / (span_windows + 1)
    for index, value in enumerate(window):
        delta = value - state.means[index]
        state.means[index] += alpha * delta
        if index in (_N, _C):
            slot = 0 if index == _N else 1
            state.variances[slot] = (1 - alpha) * (state.variances[slot] + alpha * delta * delta)
    state.seen += 1
    return found, baseline[0], baseline[1]


def vector(found: dict[str, float], model: LinearModel) -> list[float]:
    return [found[name] for name in model.features]
