"""How far chat peaks lag the moment they react to, measured from labelled highlights.

For each labelled interval, the chat after its start is bucketed (buckets aligned to the label's
start) over a bounded window; the lag is the centre of the busiest bucket minus the label's start.
Labels with no chat in the window are left out (counted). numpy over sorted offsets: one
`searchsorted` and one `bincount` per label, no per-message Python.
"""

from dataclasses import dataclass

import numpy as np

from detector.chat import REPLAY_EPOCH_MS, ChatInput
from detector.labels import LabelSet


@dataclass(frozen=True)
class LagSummary:
    lags_s: np.ndarray  # one per label that had chat in its window
    labels_without_chat: int
    bucket_s: float
    window_s: float

    @property
    def count(self) -> int:
        return len(self.lags_s)

    def quantiles(self) -> tuple[float, float, float]:
        """(first quartile, median, third quartile) in seconds; NaN when nothing was measured."""
        if not self.count:
            return (float("nan"),) * 3
        q1, median, q3 = np.quantile(self.lags_s, [0.25, 0.5, 0.75])
        return float(q1), float(median), float(q3)

    def as_dict(self) -> dict:
        q1, median, q3 = self.quantiles()
        return {"labels": self.count, "labels_without_chat": self.labels_without_chat,
                "bucket_s": self.bucket_s, "window_s": self.window_s,
                "q1_s": q1, "median_s": median, "q3_s": q3}


def peak_lags(offsets_s: dict[str, np.ndarray], intervals: dict[str, np.ndarray], *,
              bucket_s: float = 5.0, window_s: float = 60.0) -> LagSummary:
    """`offsets_s`: per video, message times in seconds on the labels' timeline (any order).
    `intervals`: per video, (n, 2) label intervals. Busiest-bucket ties go to the earliest."""
    if bucket_s <= 0 or window_s < bucket_s:
        raise ValueError("bucket_s must be positive and window_s at least one bucket")
    buckets = int(np.ceil(window_s / bucket_s))
    lags, empty = [], 0
    for video, labels in intervals.items():
        times = np.sort(np.asarray(offsets_s.get(video, ()), dtype=float))
        starts = labels[:, 0] if len(labels) else np.empty(0)
        lo = np.searchsorted(times, starts, side="left")
        hi = np.searchsorted(times, starts + buckets * bucket_s, side="left")
        for start, a, b in zip(starts, lo, hi, strict=True):
            if a == b:
                empty += 1
                continue
            index = ((times[a:b] - start) // bucket_s).astype(np.int64)
            peak = int(np.argmax(np.bincount(index, minlength=buckets)))
            lags.append((peak + 0.5) * bucket_s)
    return LagSummary(np.asarray(lags, dtype=float), empty, bucket_s, window_s)


def chat_offsets(chat: ChatInput) -> dict[str, np.ndarray]:
    """Per video, the replayed messages' times in video seconds; commands (`!...`) are left out,
    as the detector leaves them out."""
    table = chat.con.execute(f"""
        select video_id, list((timestamp - {REPLAY_EPOCH_MS}) / 1000.0 order by timestamp)
        from replay_messages where not starts_with(coalesce(text, ''), '!')
        group by video_id
    """).fetchall()
    return {video: np.asarray(times, dtype=float) for video, times in table}


def measure(chat: ChatInput, labels: LabelSet, *, bucket_s: float = 5.0,
            window_s: float = 60.0) -> LagSummary:
    offsets = chat_offsets(chat)
    wanted = {v: a for v, a in labels.intervals.items() if v in offsets}
    return peak_lags(offsets, wanted, bucket_s=bucket_s, window_s=window_s)
