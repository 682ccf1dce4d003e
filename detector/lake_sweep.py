"""A sweep over the lake, as the Dagster tuning asset runs it: plain function, own tests."""

from dataclasses import dataclass
from pathlib import Path

from detector.backtest import Backtest
from detector.chat import from_lake
from detector.labels import load_crowd_clips, load_labels
from detector.search import SEARCH_GRID, Grid, SweepRow, select, sweep
from detector.store import record_sweep, record_videos
from warehouse.catalog import connect


@dataclass
class LakeSweep:
    rows: list[SweepRow]
    chosen: SweepRow
    applicable: SweepRow
    stored: int
    labels: str
    train: str | None


def sweep_lake(lake_uri: str, dsn: str, run_id: str, labels: Path | None = None,
               clips: Path | None = None, min_views: int = 10,
               channels: list[str] | None = None, min_precision: float = 0.55,
               grid: Grid = SEARCH_GRID, partial: bool = True, keep: int = 200) -> LakeSweep:
    """Replay the lake slice, sweep `grid`, select on the train split (or on all videos when
    the labels have no split), record the run in `tuning_runs`/`tuning_results` and the chosen
    set's videos in `tuning_videos`. `partial`: labels of videos not in the lake yet are left
    out (the backfill may still be running)."""
    label_set = load_labels(labels) if labels else load_crowd_clips(clips, min_views)
    chat = from_lake(connect(lake_uri), channels)
    backtest = Backtest(chat, label_set, partial=partial)
    has_split = "train" in label_set.split_names()
    train, test = ("train", "test") if has_split else (None, None)
    rows = sweep(backtest, grid, train, test)
    chosen = select(rows, min_precision)
    applicable = select(rows, min_precision, contract_only=True)
    stored = record_sweep(dsn, run_id, rows, chosen, chat.description, label_set.source,
                          train, test, keep)
    record_videos(dsn, run_id, backtest, backtest.run(chosen.params))
    return LakeSweep(rows, chosen, applicable, stored, label_set.source, train)
