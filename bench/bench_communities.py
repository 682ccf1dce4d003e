"""Benchmark of communities: synthetic chat in a Delta lake -> chatter-channel pairs ->
overlap edges -> Leiden -> centrality, labels -> files and maps, timed, with peak memory.

    uv run python bench/bench_communities.py [--channels 10000] [--chatters 2000000]

A planted block model (`warehouse/communities/synthetic.py`: 100 blocks, each chatter in
1 + Poisson(2) channels, 85 % in their home block) is written to a Delta lake's
`chat_messages` as one live message per chatter-channel pair (the fewest messages that carry
the graph); each run reads the lake with DuckDB in a fresh child process (so its peak RSS is
its own; the distinct pairs as the marts' `int_channel_chatters_aggregated` takes them) and
does the whole build. The baseline is the same pipeline at a tenth of the size, measured in the same
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

import numpy as np
import polars as pl
import pyarrow as pa

from warehouse.catalog import connect
from warehouse.communities.agreement import adjusted_rand_index
from warehouse.communities.build import CommunitySettings, find_communities
from warehouse.communities.maps import write_maps
from warehouse.communities.outputs import write_outputs
from warehouse.communities.overlap import overlap_edges
from warehouse.communities.synthetic import planted_chat
from warehouse.lake import to_lake_table
from warehouse.lake_schema import CHAT_MESSAGE_SCHEMA, CHAT_MESSAGES
from warehouse.lake_store import LakeStore

DAY_MS = 1_790_000_000_000  # 2026-09-21, a day like any other

PAIRS_SQL = """
    select distinct broadcaster_id, user_id as chatter_id from chat_messages
    where not coalesce(is_vod_comment, false) and user_id is not null
"""


def pipeline(lake_uri: str, blocks_file: str, out: str, queue) -> None:
    """One build in this (child) process; puts the timings on the queue."""
    start = time.perf_counter()
    with connect(lake_uri) as con:
        pairs = con.execute(PAIRS_SQL).pl()
    read = time.perf_counter()
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
        "lake_read_s": read - start, "overlap_s": overlapped - read, "leiden_s": found - overlapped,
        "files_s": done - found, "total_s": done - start,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})


def pairs_as_messages(pairs: pl.DataFrame) -> pa.Table:
    """One live chat message per (broadcaster_id, chatter_id), spread over one UTC day."""
    count = pairs.height
    timestamps = np.sort(np.random.default_rng(3).integers(DAY_MS, DAY_MS + 86_400_000, count))
    columns = {
        "v": pa.array(np.ones(count, np.int16)),
        "message_id": pa.array([f"b{n}" for n in range(count)]),
        "broadcaster_id": pairs["broadcaster_id"].to_arrow(),
        "timestamp": pa.array(timestamps),
        "text": pa.array(["hi"] * count),
        "user_id": pairs["chatter_id"].cast(pl.Utf8).to_arrow(),
        "source": pa.array(["eventsub"] * count),
        "is_vod_comment": pa.array(np.zeros(count, bool)),
    }
    arrays = [columns.get(f.name, pa.nulls(count, f.type)).cast(f.type)
              for f in CHAT_MESSAGE_SCHEMA]
    return to_lake_table(pa.Table.from_arrays(arrays, schema=CHAT_MESSAGE_SCHEMA), CHAT_MESSAGES)


def measure(channels: int, chatters: int, work: Path) -> dict:
    chat = planted_chat(channels=channels, blocks=100, chatters=chatters,
                        mean_channels_per_chatter=3.0, p_home=0.85, seed=5)
    lake, blocks = LakeStore(str(work / f"lake-{channels}")), work / f"blocks-{channels}.parquet"
    lake.append(CHAT_MESSAGES.name, pairs_as_messages(chat.pairs))
    chat.blocks.write_parquet(blocks)
    del chat
    out = work / f"out-{channels}"
    out.mkdir()
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=pipeline, args=(lake.uri, str(blocks), str(out), queue))
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
