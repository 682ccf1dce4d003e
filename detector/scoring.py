"""Detections vs labelled highlights, as DESIGN ("Scoring highlights") and data/README.md say.

A detection at video time t makes a clip [t - 20, t + 10]. It is a true positive when the clip
overlaps a labelled interval of the same video with positive length (t - 20 < end and
start < t + 10). Recall counts distinct labelled intervals overlapped by at least one clip.
Counts are summed over videos before dividing (pooled), per split when the labels have one.

Vectorised over all videos at once: each video is moved to its own stretch of one long timeline,
far enough apart that no clip can reach another video's labels.
"""

import math
from dataclasses import dataclass

import numpy as np

from detector.labels import LabelError, LabelSet

CLIP_BEFORE_S = 20.0
CLIP_AFTER_S = 10.0
_VIDEO_SPACING_S = 1e8  # > any video length plus a clip


@dataclass(frozen=True)
class Score:
    detections: int
    true_positives: int
    intervals: int
    intervals_hit: int
    hours: float

    @property
    def precision(self) -> float:
        # No detections: precision is undefined (NaN, shown as "-" and null), not 0 or 1.
        return self.true_positives / self.detections if self.detections else math.nan

    @property
    def recall(self) -> float:
        return self.intervals_hit / self.intervals if self.intervals else math.nan

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        if math.isnan(p) or math.isnan(r) or p + r == 0:
            return 0.0
        return 2 * p * r / (p + r)

    @property
    def per_hour(self) -> float:
        return self.detections / self.hours if self.hours else math.nan

    def as_dict(self) -> dict:
        def clean(v: float) -> float | None:
            return None if math.isnan(v) else round(v, 6)
        return {"precision": clean(self.precision), "recall": clean(self.recall),
                "f1": round(self.f1, 6), "detections": self.detections,
                "true_positives": self.true_positives, "intervals": self.intervals,
                "intervals_hit": self.intervals_hit, "hours": round(self.hours, 4),
                "detections_per_hour": clean(self.per_hour)}

    def __add__(self, other: "Score") -> "Score":
        return Score(self.detections + other.detections,
                     self.true_positives + other.true_positives,
                     self.intervals + other.intervals, self.intervals_hit + other.intervals_hit,
                     self.hours + other.hours)


EMPTY = Score(0, 0, 0, 0, 0.0)


def check_videos(chat_videos: list[str], labels: LabelSet, partial: bool = False) -> list[str]:
    """The videos to score. A video with chat but no labels would score its detections as false
    positives; labels of a video without chat would count as missed: both are errors (the
    latter allowed with `partial`, then those labels are left out)."""
    unlabelled = sorted(set(chat_videos) - set(labels.intervals))
    if unlabelled:
        raise LabelError(
            f"{len(unlabelled)} video(s) in the chat have no labels in {labels.source}: "
            f"{', '.join(unlabelled[:10])}{' ...' if len(unlabelled) > 10 else ''} "
            "(check the video id: --video-id, or leave that chat out)")
    unknown = sorted(set(labels.intervals) - set(chat_videos))
    if unknown and not partial:
        raise LabelError(
            f"{len(unknown)} labelled video id(s) are not in the chat input: "
            f"{', '.join(unknown[:10])}{' ...' if len(unknown) > 10 else ''} "
            "(give their chat files, or --partial to score only the videos given)")
    return [v for v in chat_videos if v in labels.intervals]


class Scorer:
    """Labels laid out once for many scorings of the same videos."""

    def __init__(self, labels: LabelSet, video_ids: list[str], hours: dict[str, float]) -> None:
        self.video_ids = list(video_ids)
        self.hours = np.array([hours.get(v, 0.0) for v in self.video_ids])
        starts, ends, owner = [], [], []
        for index, video in enumerate(self.video_ids):
            intervals = labels.intervals[video]
            starts.append(intervals[:, 0] + index * _VIDEO_SPACING_S)
            ends.append(intervals[:, 1] + index * _VIDEO_SPACING_S)
            owner.append(np.full(len(intervals), index))
        order = np.argsort(np.concatenate(starts), kind="stable")
        self.starts = np.concatenate(starts)[order]
        self.ends = np.concatenate(ends)[order]
        self.owner = np.concatenate(owner)[order]
        self.prefix_max_end = np.maximum.accumulate(self.ends) if len(self.ends) else self.ends

    def _overlaps(self, t: np.ndarray) -> np.ndarray:
        # TP: some interval starting before the clip's end also ends after the clip's start.
        last = np.searchsorted(self.starts, t + CLIP_AFTER_S, side="left") - 1
        return (last >= 0) & (self.prefix_max_end[np.maximum(last, 0)] > t - CLIP_BEFORE_S)

    def true_positive(self, video_index: np.ndarray, times_s: np.ndarray) -> np.ndarray:
        """Whether a detection at each (video, time) would be a true positive."""
        return self._overlaps(np.asarray(times_s, float)
                              + np.asarray(video_index) * _VIDEO_SPACING_S)

    def per_video(self, video_index: np.ndarray, times_s: np.ndarray) -> list[Score]:
        """Scores per video; `video_index` indexes `video_ids`, `times_s` on each video's
        timeline."""
        n = len(self.video_ids)
        t = np.asarray(times_s, float) + np.asarray(video_index) * _VIDEO_SPACING_S
        tp = self._overlaps(t)
        # Hit: some detection time lies in (start - 10, end + 20).
        ts = np.sort(t)
        hit = (np.searchsorted(ts, self.ends + CLIP_BEFORE_S, side="left")
               - np.searchsorted(ts, self.starts - CLIP_AFTER_S, side="right")) > 0
        det = np.bincount(video_index, minlength=n)
        tps = np.bincount(video_index, weights=tp, minlength=n).astype(int)
        intervals = np.bincount(self.owner, minlength=n)
        hits = np.bincount(self.owner, weights=hit, minlength=n).astype(int)
        return [Score(int(det[i]), int(tps[i]), int(intervals[i]), int(hits[i]),
                      float(self.hours[i])) for i in range(n)]


def pool(scores: list[Score]) -> Score:
    total = EMPTY
    for score in scores:
        total = total + score
    return total
