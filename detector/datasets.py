"""The labelled datasets the detector is judged on, read from a folder laid out as
`../shared/data` (its README says what each file is):

    dota2  60 Dota 2 videos with expert highlight intervals; fitted and selected on, by grouped
           cross-validation (groups: the channel where videos.csv knows it, else the video)
    lirik  one 8 h variety broadcast, viewers' clips with >= 10 views as labels; a check only
    kappa  one 8.6 h Chinese-language VOD with 31 hand-entered intervals; a check only

The checks are never used for fitting or choosing: they stand for the audiences the detector
has not seen.
"""

import csv
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from detector.backtest import Backtest
from detector.chat import REPLAY_EPOCH_MS, ChatInput, from_files
from detector.labels import LabelError, LabelSet, load_crowd_clips, load_labels
from ingest.importers import ImportOptions

REPLAY_START = datetime.fromtimestamp(REPLAY_EPOCH_MS / 1000, UTC)
KAPPA_VOD, KAPPA_START_EPOCH_S = "108244967", 1482050827  # multi/kappa_zh/database.txt
LIRIK_MIN_VIEWS = 10
FIT_ON = "dota2"
CHECKS = ("lirik", "kappa")


@dataclass
class Dataset:
    name: str
    chat: ChatInput
    labels: LabelSet
    groups: dict[str, str]  # video id -> cross-validation group

    def backtest(self) -> Backtest:
        return Backtest(self.chat, self.labels)


def kappa_labels(path: Path) -> LabelSet:
    """`<start_epoch_s> <end_epoch_s>` (end inclusive) -> seconds from the VOD's start."""
    try:
        rows = np.loadtxt(path, dtype=float, ndmin=2) - KAPPA_START_EPOCH_S
    except (OSError, ValueError) as error:
        raise LabelError(f"{path}: cannot read kappa intervals ({error})") from None
    rows[:, 1] += 1  # the inclusive end second
    return LabelSet(f"{path.name} (kappa, {len(rows)} intervals)",
                    {KAPPA_VOD: rows[np.argsort(rows[:, 0])]})


def dota2(data: Path) -> Dataset:
    folder = data / "highlights" / "dota2"
    chat = from_files(sorted(folder.glob("*.chat.json.gz")),
                      ImportOptions(channel="dota2", start=REPLAY_START))
    with (folder / "videos.csv").open(encoding="utf-8") as f:
        groups = {row["video_id"]: row["channel"] or row["video_id"]
                  for row in csv.DictReader(f)}
    return Dataset("dota2", chat, load_labels(folder / "labels.csv"), groups)


def lirik(data: Path) -> Dataset:
    folder = data / "vod" / "lirik"
    chat = from_files([folder / "lirik_389178879.chat.json.gz"],
                      ImportOptions(channel="lirik", start=REPLAY_START))
    labels = load_crowd_clips(folder / "lirik_389178879.clips.csv", LIRIK_MIN_VIEWS)
    return Dataset("lirik", chat, labels, {v: v for v in labels.video_ids})


def kappa(data: Path) -> Dataset:
    folder = data / "multi" / "kappa_zh"
    start = datetime.fromtimestamp(KAPPA_START_EPOCH_S, UTC)
    chat = from_files([folder / f"VoD_{KAPPA_VOD}.txt.gz"],
                      ImportOptions(channel="kappa", start=start), KAPPA_VOD, start)
    return Dataset("kappa", chat, kappa_labels(folder / "train_highlight_time.txt"),
                   {KAPPA_VOD: KAPPA_VOD})


LOADERS = {"dota2": dota2, "lirik": lirik, "kappa": kappa}


def load(data: Path, names: tuple[str, ...] = (FIT_ON, *CHECKS)) -> dict[str, Dataset]:
    """The named datasets under `data`; LabelError naming the folder when it is not one."""
    data = Path(data)
    if not (data / "highlights" / "dota2" / "labels.csv").is_file():
        raise LabelError(f"{data}: not a labelled-data folder (no highlights/dota2/labels.csv; "
                         "expected the layout of ../shared/data)")
    return {name: LOADERS[name](data) for name in names}
