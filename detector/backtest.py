"""A backtest: one input (chat + labels) and any number of parameter sets, each scored.

Detection time: the END of the window that fired. That is when the stream knows about the
moment (the window closes, the detector fires, the clipper starts counting its 10 s), so it is
what the clip is made around; docs/tuning.md compares it with the window start.
"""

from dataclasses import dataclass

import numpy as np

from detector.chat import ChatInput
from detector.engine import Engine, TuningParams
from detector.labels import LabelSet
from detector.scoring import Score, Scorer, check_videos, pool
from detector.windows import WindowCache


@dataclass
class Result:
    params: TuningParams
    videos: list[str]
    per_video: list[Score]
    # Detections: scored video index and time on that video's timeline (window end, seconds).
    video_index: np.ndarray
    times_s: np.ndarray
    splits: dict[str, str]

    def pooled(self, split: str | None = None) -> Score:
        return pool([s for v, s in zip(self.videos, self.per_video, strict=True)
                     if split is None or self.splits.get(v) == split])

    def detections_of(self, video: str) -> np.ndarray:
        return self.times_s[self.video_index == self.videos.index(video)]


class Backtest:
    def __init__(self, chat: ChatInput, labels: LabelSet, partial: bool = False) -> None:
        self.chat = chat
        self.labels = labels
        self.windows = WindowCache(chat)
        self.engine = Engine(self.windows.get)
        self.videos = check_videos(chat.video_ids(), labels, partial)
        self.hours = self._hours()
        self.scorer = Scorer(labels, self.videos, self.hours)
        self._scored_index: dict[int, np.ndarray] = {}

    def _hours(self) -> dict[str, float]:
        """Replayed chat per video: first to last message (for detections per hour)."""
        return {v: (hi - lo) / 3_600_000 for v, lo, hi in self.chat.con.execute(
            "select video_id, min(timestamp), max(timestamp) from replay_messages "
            "group by video_id").fetchall()}

    def scored_index(self, bucket_ms: int) -> np.ndarray:
        """Series video code -> index into self.videos (-1: not scored)."""
        if bucket_ms not in self._scored_index:
            position = {v: i for i, v in enumerate(self.videos)}
            series = self.windows.get(bucket_ms)
            self._scored_index[bucket_ms] = np.array(
                [position.get(v, -1) for v in series.video_ids], dtype=np.int64)
        return self._scored_index[bucket_ms]

    def run(self, params: TuningParams) -> Result:
        bucket = params.detector.bucket_ms
        series = self.windows.get(bucket)
        fired = self.engine.detect(params)
        video_index = self.scored_index(bucket)[series.video[fired]]
        keep = video_index >= 0
        video_index, times = video_index[keep], series.end_s[fired][keep]
        return Result(params, self.videos, self.scorer.per_video(video_index, times),
                      video_index, times, self.labels.splits)
