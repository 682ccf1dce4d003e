"""Benchmark of communities: synthetic chatter-channel table -> overlap edges -> Leiden ->
centrality, labels -> files and maps, timed, with peak memory.

    uv run python bench/bench_communities.py [--channels 10000] [--chatters 2000000]

A planted block model (`warehouse/communities/synthetic.py`: 100 blocks, each chatter in
1 + Poisson(2) channels, 85 % in their home block) is written as a Parquet chatter-channel
table; each run reads it in a fresh child process (so its peak RSS is its own) and does the
whole build. The baseline is the same pipeline at a tenth of the size, measured in the same
run: the ratio says how the cost grows. Targets (issue 13): < 2 min and < 4 GiB at 10 k
channels and 2 M chatters. Synthetic data only.
"""

import argparse
import json
import multiprocessing
import resource
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

from warehouse.communities.agreement import adjusted_rand_index
from warehouse.communities.build import CommunitySettings, find_communities
from warehouse.communities.maps import write_maps
from warehouse.communities.outputs import write_outputs
from warehouse.communities.overlap import overlap_edges
from warehouse.communities.synthetic import planted_chat


def pipeline(table: str, blocks_file: str, out: str, queue) -> None:
    """One build in this (child) process; puts the timings on the queue."""
    start = time.perf_counter()
    pairs = pl.read_parquet(table)
    edges = overlap_edges(pairs)
    overlapped = time.perf_counter()
    result = find_communities(edges, CommunitySettings(seed=1))
    found = time.perf_counter()
    write_outputs(result, Path(out), period="all", period_end=None)
    write_maps(result, Path(out), "benchmark")
    done = time.perf_counter()
    truth = result.nodes.join(pl.read_parquet(blocks_file), on="broadcaster_id",
                              maintain_order="left")
    queue.put({
        "pairs": pairs.height, "edges": edges.height, "channels": result.nodes.height,
        "communities": result.communities.height, "modularity": result.modularity,
        "random_modularity": result.random_modularity,
        "ari": adjusted_rand_index(truth["block"].to_numpy(),
                                   result.nodes["community"].to_numpy()),
        "overlap_s": overlapped - start, "leiden_s": found - overlapped,
        "files_s": done - found, "total_s": done - start,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})


def measure(channels: int, chatters: int, work: Path) -> dict:
    chat = planted_chat(channels=channels, blocks=100, chatters=chatters,
                        mean_channels_per_chatter=3.0, p_home=0.85, seed=5)
    table, blocks = work / f"pairs-{channels}.parquet", work / f"blocks-{channels}.parquet"
    chat.pairs.write_parquet(table)
    chat.blocks.write_parquet(blocks)
    del chat
    out = work / f"out-{channels}"
    out.mkdir()
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=pipeline, args=(str(table), str(blocks), str(out), queue))
    child.start()
    result = queue.get()
    child.join()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=10_000)
    parser.add_argument("--chatters", type=int, default=2_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-communities-") as folder:
        work = Path(folder)
        baseline = measure(args.channels // 10, args.chatters // 10, work)
        full = measure(args.channels, args.chatters, work)
    for name, run in (("baseline (1/10)", baseline), ("full", full)):
        rounded = {k: round(v, 3) if isinstance(v, float) else v for k, v in run.items()}
        print(f"{name}: {json.dumps(rounded)}")
    print(f"time {full['total_s']:.1f} s (target < 120 s), peak RSS "
          f"{full['peak_rss_mib'] / 1024:.2f} GiB (target < 4 GiB); "
          f"{full['total_s'] / baseline['total_s']:.1f}x the baseline's time for 10x the input; "
          f"ARI {full['ari']:.3f}, modularity {full['modularity']:.3f} vs random "
          f"{full['random_modularity']:.3f}")
    ok = full["total_s"] < 120 and full["peak_rss_mib"] < 4096
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
