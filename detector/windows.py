"""Window series: every video's windows for one bucket length, computed once by DuckDB and laid
out densely (empty windows as zeros) in one set of numpy arrays, so that a parameter set is a
handful of vectorised operations over all videos at once.

The counting rule is the contract's (`chatlake_contracts.counting`), with the video as the
channel; chatters are
distinct `coalesce(user_id, user_name)`. `tests/tuning` checks the counts against
`detector.reference.windows_from_records` on the same messages.
"""

from dataclasses import dataclass

import numpy as np
from chatlake_contracts import counting, window_content

from detector.chat import REPLAY_EPOCH_MS, ChatInput

WINDOWS_SQL = f"""
    with counted as (
        select video_id, timestamp as ts, text, coalesce(user_id, user_name) as chatter,
               emote_only
        from replay_messages
        where {counting.duckdb_counts("video_id", "timestamp", "text")}
    )
    select video_id, ts - ts % $bucket as window_start,
           count(*) as message_count, count(distinct chatter) as chatter_count,
           count(*) filter (where emote_only) as emote_signal_count,
           {window_content.duckdb_content("text")}
    from counted
    group by video_id, window_start
    order by video_id, window_start
"""

SIGNALS = ("messages", "chatters", "emote_only")
# The dense arrays of a series: the signals, then the learned scorer's content counts.
COLUMNS = (*SIGNALS, *window_content.CONTENT_FIELDS)


@dataclass
class WindowSeries:
    """Dense windows of all videos, concatenated in video order."""

    bucket_ms: int
    video_ids: list[str]
    video: np.ndarray  # int32, index into video_ids
    end_s: np.ndarray  # float64, window end on the video timeline (seconds)
    present: np.ndarray  # bool: the window had messages (a row upstream)
    counts: dict[str, np.ndarray]  # COLUMNS name -> int64 counts
    # Empty windows before each window since the previous present window of the same video
    # (-1 at a video's first window): where the detector restarts its baseline.
    gap_before: np.ndarray

    def __len__(self) -> int:
        return len(self.video)

    def hours(self, videos: list[str] | None = None) -> dict[str, float]:
        """Replayed length per video: first to last window, in hours."""
        out = {}
        for index, video in enumerate(self.video_ids):
            if videos is not None and video not in videos:
                continue
            mine = self.end_s[self.video == index]
            out[video] = (mine[-1] - mine[0] + self.bucket_ms / 1000) / 3600 if len(mine) else 0
        return out


def compute_windows(chat: ChatInput, bucket_ms: int) -> WindowSeries:
    rows = chat.con.execute(WINDOWS_SQL.replace("$bucket", str(int(bucket_ms)))).fetchnumpy()
    video_names, video_codes = np.unique(rows["video_id"].astype(str), return_inverse=True)
    grid = ((rows["window_start"] - REPLAY_EPOCH_MS) // bucket_ms).astype(np.int64)
    parts = {name: [] for name in ("video", "grid", "present", "gap", *COLUMNS)}
    sources = {"messages": "message_count", "chatters": "chatter_count",
               "emote_only": "emote_signal_count",
               **{name: name for name in window_content.CONTENT_FIELDS}}
    for code in range(len(video_names)):
        mine = video_codes == code
        cells = grid[mine]
        first, length = cells[0], cells[-1] - cells[0] + 1
        where = cells - first
        present = np.zeros(length, bool)
        present[where] = True
        gap = np.full(length, 0, np.int64)
        gap[where[1:]] = np.diff(where) - 1
        gap[0] = -1
        parts["video"].append(np.full(length, code, np.int32))
        parts["grid"].append(np.arange(first, first + length, dtype=np.int64))
        parts["present"].append(present)
        parts["gap"].append(gap)
        for column in COLUMNS:
            dense = np.zeros(length, np.int64)
            dense[where] = rows[sources[column]][mine]
            parts[column].append(dense)
    joined = {name: np.concatenate(arrays) for name, arrays in parts.items()}
    return WindowSeries(
        bucket_ms=bucket_ms,
        video_ids=[str(v) for v in video_names],
        video=joined["video"],
        end_s=(joined["grid"] + 1) * (bucket_ms / 1000),
        present=joined["present"],
        counts={column: joined[column] for column in COLUMNS},
        gap_before=joined["gap"],
    )


class WindowCache:
    """Window series of one input per bucket length: DuckDB runs once per bucket."""

    def __init__(self, chat: ChatInput) -> None:
        self.chat = chat
        self._series: dict[int, WindowSeries] = {}

    def get(self, bucket_ms: int) -> WindowSeries:
        if bucket_ms not in self._series:
            self._series[bucket_ms] = compute_windows(self.chat, bucket_ms)
        return self._series[bucket_ms]
