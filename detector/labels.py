"""Highlight labels: expert interval files and crowd clip files, validated up front.

Both become a `LabelSet`: per video, the de-duplicated intervals `[start_s, end_s]` on the video
timeline (seconds from the video start) and, when the file has a `split` column, the video's split.
Anything that would make a score quietly wrong is an error with the file and line in it: a missing
column, a non-number, an inverted or empty interval, a video in two splits.
"""

import csv
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

REQUIRED = ("video_id", "start_s", "end_s")


class LabelError(ValueError):
    """A label file cannot be used. The message names the file (and line when there is one)."""


@dataclass
class LabelSet:
    source: str  # what the labels are, for reports: a file name and e.g. "views >= 10"
    # video id -> (n, 2) float array of distinct intervals, sorted by start
    intervals: dict[str, np.ndarray] = field(default_factory=dict)
    # video id -> split name; empty when the file has no split column
    splits: dict[str, str] = field(default_factory=dict)
    duplicates_dropped: int = 0

    @property
    def video_ids(self) -> list[str]:
        return list(self.intervals)

    def split_names(self) -> list[str]:
        return sorted(set(self.splits.values()))

    def videos_in(self, split: str | None) -> list[str]:
        if split is None:
            return self.video_ids
        return [v for v in self.intervals if self.splits.get(v) == split]

    def interval_count(self) -> int:
        return sum(len(a) for a in self.intervals.values())


def _number(value: str, column: str, where: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise LabelError(f"{where}: {column} {value!r} is not a number") from None
    if not np.isfinite(number):
        raise LabelError(f"{where}: {column} {value!r} is not a finite number")
    return number


def _rows(path: Path, required: tuple[str, ...]) -> tuple[list[str], list[tuple[int, dict]]]:
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            header = [name.strip() for name in (reader.fieldnames or [])]
            missing = [c for c in required if c not in header]
            if not header:
                raise LabelError(f"{path.name}: empty label file (expected a header "
                                 f"{','.join(required)})")
            if missing:
                raise LabelError(f"{path.name}: missing column(s) {', '.join(missing)} "
                                 f"(header: {','.join(header)}; need {','.join(required)})")
            reader.fieldnames = header
            rows = [(reader.line_num, row) for row in reader]
    except OSError as error:
        raise LabelError(f"{path}: cannot read ({error.strerror or error})") from None
    except UnicodeDecodeError:
        raise LabelError(f"{path.name}: not a UTF-8 text file") from None
    if not rows:
        raise LabelError(f"{path.name}: no label rows")
    return header, rows


def _interval(row: dict, line: int, path: Path) -> tuple[str, float, float]:
    where = f"{path.name}:{line}"
    video = (row.get("video_id") or "").strip()
    if not video:
        raise LabelError(f"{where}: empty video_id")
    start = _number(row.get("start_s"), "start_s", where)
    end = _number(row.get("end_s"), "end_s", where)
    if end <= start:
        kind = "inverted" if end < start else "empty"
        raise LabelError(f"{where}: {kind} interval {start:g}..{end:g} of video {video} "
                         "(end_s must be greater than start_s)")
    return video, start, end


def _build(source: str, triples: list[tuple[str, float, float]],
           splits: dict[str, str]) -> LabelSet:
    labels = LabelSet(source, splits=splits)
    by_video: dict[str, set[tuple[float, float]]] = {}
    for video, start, end in triples:
        seen = by_video.setdefault(video, set())
        if (start, end) in seen:
            # The scoring convention counts an exact duplicate row once (data/README.md).
            labels.duplicates_dropped += 1
        seen.add((start, end))
    labels.intervals = {v: np.array(sorted(s), dtype=float) for v, s in by_video.items()}
    return labels


def load_labels(path: Path) -> LabelSet:
    """`video_id,start_s,end_s[,split]` (the Dota 2 `labels.csv` shape)."""
    path = Path(path)
    header, rows = _rows(path, REQUIRED)
    has_split = "split" in header
    triples, splits = [], {}
    for line, row in rows:
        video, start, end = _interval(row, line, path)
        triples.append((video, start, end))
        if has_split:
            split = (row.get("split") or "").strip()
            if not split:
                raise LabelError(f"{path.name}:{line}: empty split for video {video}")
            if splits.setdefault(video, split) != split:
                raise LabelError(f"{path.name}:{line}: video {video} is in two splits "
                                 f"({splits[video]} and {split})")
    return _build(path.name, triples, splits)


def load_crowd_clips(path: Path, min_views: int) -> LabelSet:
    """Viewer-made clips `video_id,...,start_s,end_s,views,...` with `views >= min_views` as
    labels. Clips that overlap are kept as separate intervals (each a moment someone clipped);
    exact duplicates count once, as for expert labels."""
    path = Path(path)
    _, rows = _rows(path, (*REQUIRED, "views"))
    triples = []
    for line, row in rows:
        video, start, end = _interval(row, line, path)
        if _number(row.get("views"), "views", f"{path.name}:{line}") >= min_views:
            triples.append((video, start, end))
    if not triples:
        raise LabelError(f"{path.name}: no clip has views >= {min_views} "
                         f"({len(rows)} clips); lower --min-views")
    return _build(f"{path.name} (crowd clips, views >= {min_views})", triples, {})
