"""Backtest speed: windows computed once, then >= 1000 parameter sets over all Dota 2 videos.

    uv run python bench/bench_backtest.py [--sets 1000]

Prints the time to read the chat and compute windows, the time of one pass (one parameter set,
scored), and the time of the whole sweep. Needs ../shared/data (or $CHATLAKE_SHARED_DATA).
"""

import argparse
import itertools
import sys
import time
from datetime import UTC, datetime

from detector.backtest import Backtest
from detector.chat import from_files
from detector.engine import TuningParams
from detector.labels import load_labels
from detector.search import SEARCH_GRID, sweep
from ingest.importers import ImportOptions
from tests.support import shared_data_dir


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sets", type=int, default=1000)
    args = parser.parse_args()
    folder = shared_data_dir() / "highlights" / "dota2"
    if not folder.is_dir():
        sys.exit(f"no Dota 2 data at {folder}")
    started = time.perf_counter()
    chat = from_files(sorted(folder.glob("*.chat.json.gz")),
                      ImportOptions(channel="dota2", start=datetime(2020, 1, 1, tzinfo=UTC)))
    backtest = Backtest(chat, load_labels(folder / "labels.csv"))
    for bucket in SEARCH_GRID.bucket_s:
        backtest.windows.get(round(bucket * 1000))
    loaded = time.perf_counter() - started
    messages = sum(chat.message_counts().values())

    started = time.perf_counter()
    backtest.run(TuningParams())
    first = time.perf_counter() - started
    started = time.perf_counter()
    repeats = 20
    for k in range(repeats):
        backtest.run(TuningParams().with_detector(k=2.0 + k / 10))
    one = (time.perf_counter() - started) / repeats

    grid = list(itertools.islice(SEARCH_GRID, args.sets))
    started = time.perf_counter()
    rows = sweep(backtest, grid)
    total = time.perf_counter() - started
    print(f"input: {len(backtest.videos)} videos, {messages} messages; read + windows for "
          f"{len(SEARCH_GRID.bucket_s)} bucket lengths: {loaded:.2f} s")
    print(f"one pass (cached baseline): {one * 1000:.2f} ms; first pass incl. baseline: "
          f"{first * 1000:.1f} ms")
    print(f"{len(rows)} parameter sets: {total:.2f} s ({total / len(rows) * 1000:.2f} ms a set, "
          f"{len(rows) / total:.0f} sets/s)")


if __name__ == "__main__":
    main()
