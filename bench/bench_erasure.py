"""Benchmark of erasure: one user's rows deleted from a 10 M-message lake.

    uv run python bench/bench_erasure.py [--messages 10000000] [--days 30] [--channels 50]

Makes the same synthetic lake as bench/bench_marts.py (Zipf-like channels and chatters, a day
committed at a time), then times, in the same run:
- the baseline: a full scan of chat_messages counting the user's rows (polars scan_delta, the
  same predicate), which is the least any erasure must read;
- the erasure: `warehouse.erasure.erase_lake` (a Delta delete per table: it reads the files
  that hold the user and rewrites them without their rows, one commit per table);
- the vacuum afterwards (files removed from disk).
Prints the times and the ratio erasure / scan. Synthetic data only.
"""

import argparse
import shutil
import time
from collections import Counter

import polars as pl

from bench.bench_marts import fill_lake
from tests.support import reachable_tmp_dir
from warehouse.erasure import erase_lake, vacuum_erased
from warehouse.lake_store import LakeStore
from warehouse.optouts import OptOut


def pick_user(store: LakeStore) -> tuple[str, int]:
    """A chatter of middling activity: the 1000th most active (a heavy one is in every file)."""
    ids = pl.scan_delta(store.table_uri("chat_messages")).select("user_id").head(
        2_000_000).collect().to_series().to_list()
    ranked = Counter(ids).most_common(1000)
    return ranked[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--channels", type=int, default=50)
    args = parser.parse_args()
    work = reachable_tmp_dir("chatlake-bench-erasure-")
    try:
        store = LakeStore(str(work / "lake"))
        began = time.perf_counter()
        fill_lake(store, args.days, args.messages // args.days, args.channels)
        print(f"lake: {args.messages:,} messages in {args.days} days, "
              f"{time.perf_counter() - began:.1f} s to write")
        user_id, _ = pick_user(store)
        began = time.perf_counter()
        theirs = pl.scan_delta(store.table_uri("chat_messages")).filter(
            (pl.col("user_id") == user_id) | (pl.col("user_name").str.to_lowercase()
                                              == f"user{user_id}")).select(pl.len()).collect()
        scan_s = time.perf_counter() - began
        rows = int(theirs.item())
        files_before = len(store.open("chat_messages").file_uris())
        began = time.perf_counter()
        deleted = erase_lake(store, OptOut("user", user_id, f"user{user_id}"))
        erase_s = time.perf_counter() - began
        files_after = len(store.open("chat_messages").file_uris())
        began = time.perf_counter()
        removed = vacuum_erased(store, 0)
        vacuum_s = time.perf_counter() - began
        left = pl.scan_delta(store.table_uri("chat_messages")).filter(
            pl.col("user_id") == user_id).select(pl.len()).collect().item()
        assert deleted["chat_messages"] == rows and left == 0, (deleted, rows, left)
        print(f"user with {rows:,} messages; files {files_before} -> {files_after}")
        print(f"baseline full scan count: {scan_s:.2f} s")
        print(f"erasure (Delta deletes):  {erase_s:.2f} s  = {erase_s / scan_s:.1f}x the scan")
        print(f"vacuum: {sum(removed.values())} files in {vacuum_s:.2f} s")
        print(f"total messages/s erased-through: {args.messages / erase_s:,.0f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
