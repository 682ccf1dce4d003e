"""Clip timing: how far the chat peak lags the start of each labelled highlight.

    uv run python bench/clip_timing.py [--bucket 5] [--window 60] [--min-views 10]

Prints median and quartiles of the lag for the Dota 2 labels (per split and pooled), lirik's
crowd clips (views >= --min-views) and the kappa VOD's 31 intervals. Needs ../shared/data (or
$CHATLAKE_SHARED_DATA). docs/tuning.md "Clip timing" records the numbers and what they set.
"""

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from detector.chat import from_files
from detector.clip_timing import LagSummary, measure
from detector.labels import LabelSet, load_crowd_clips, load_labels
from ingest.importers import ImportOptions
from tests.support import shared_data_dir

REPLAY_START = datetime(2020, 1, 1, tzinfo=UTC)
KAPPA_VOD, KAPPA_START_EPOCH_S = "108244967", 1482050827  # multi/kappa_zh/database.txt


def kappa_labels(path: Path) -> LabelSet:
    """`<start_epoch_s> <end_epoch_s>` (end inclusive) -> seconds from the VOD's first chat."""
    rows = np.loadtxt(path, dtype=float, ndmin=2) - KAPPA_START_EPOCH_S
    rows[:, 1] += 1  # inclusive end second
    return LabelSet("kappa train_highlight_time.txt", {KAPPA_VOD: rows[np.argsort(rows[:, 0])]})


def line(name: str, summary: LagSummary) -> str:
    q1, median, q3 = summary.quantiles()
    return (f"{name:<28} labels {summary.count:>4} (no chat: {summary.labels_without_chat:>2})  "
            f"lag q1 {q1:5.1f} s  median {median:5.1f} s  q3 {q3:5.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bucket", type=float, default=5.0)
    parser.add_argument("--window", type=float, default=60.0)
    parser.add_argument("--min-views", type=int, default=10)
    args = parser.parse_args()
    data = shared_data_dir()
    if not data.is_dir():
        sys.exit(f"no shared data at {data}")
    timing = {"bucket_s": args.bucket, "window_s": args.window}
    print(f"chat peak after the label's start: {args.bucket:g} s buckets, "
          f"busiest within {args.window:g} s")

    dota = data / "highlights" / "dota2"
    chat = from_files(sorted(dota.glob("*.chat.json.gz")),
                      ImportOptions(channel="dota2", start=REPLAY_START))
    labels = load_labels(dota / "labels.csv")
    print(line("dota2 (all 60 videos)", measure(chat, labels, **timing)))
    for split in labels.split_names():
        subset = LabelSet(split, {v: labels.intervals[v] for v in labels.videos_in(split)})
        print(line(f"dota2 {split}", measure(chat, subset, **timing)))

    lirik = data / "vod" / "lirik"
    chat = from_files([lirik / "lirik_389178879.chat.json.gz"],
                      ImportOptions(channel="lirik", start=REPLAY_START))
    clips = load_crowd_clips(lirik / "lirik_389178879.clips.csv", args.min_views)
    print(line(f"lirik clips views>={args.min_views}", measure(chat, clips, **timing)))

    kappa = data / "multi" / "kappa_zh"
    start = datetime.fromtimestamp(KAPPA_START_EPOCH_S, UTC)
    chat = from_files([kappa / f"VoD_{KAPPA_VOD}.txt.gz"],
                      ImportOptions(channel="kappa", start=start), KAPPA_VOD, start)
    print(line("kappa (31 intervals)",
               measure(chat, kappa_labels(kappa / "train_highlight_time.txt"), **timing)))


if __name__ == "__main__":
    main()
