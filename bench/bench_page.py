"""How fast the web page gets its data over a 10 M-message lake, measured in Chromium.

    uv run python bench/bench_page.py [--messages 10000000] [--days 30] [--channels 50]

Makes bench_marts' synthetic Delta lake, builds the marts, serves the API on loopback over
it and opens the page on the biggest channel (about a third of the messages) twice, a cold
and a warm load, at two intervals. Each API call behind the page is timed by the browser's
resource timing and printed beside the same page's /health round trip (a baseline that touches
nothing). Target (issue 14): every call's data within 1 s. Synthetic data only.
"""

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from bench.bench_marts import fill_lake
from chatlake.embedded.postgres import EmbeddedPostgres
from core.settings import Settings
from tests.api.support import live_server
from tests.support import free_port, reachable_tmp_dir
from warehouse.lake_store import LakeStore
from warehouse.marts_build import build_marts, plan_build, run_dbt_subprocess
from warehouse.marts_file import MartsFile
from warehouse.postgres import apply_migrations

TIMING_SCRIPT = Path(__file__).resolve().parents[1] / "tests" / "e2e" / "page_timing.mjs"
CHANNEL = "100"  # bench_marts' biggest channel


def page_timings(base: str, interval: str) -> dict:
    run = subprocess.run(["node", str(TIMING_SCRIPT), base, CHANNEL, interval],
                         capture_output=True, text=True, timeout=600, check=False)
    if run.returncode != 0:
        sys.exit(f"the browser run failed: {run.stderr[-2000:]}")
    return json.loads(run.stdout.strip().splitlines()[-1])


def report(label: str, seen: dict) -> float:
    print(f"{label}: page ready in {seen['pageReadyMs']} ms; /health {seen['healthMs']:.1f} ms")
    slowest = 0.0
    for call in sorted(seen["calls"], key=lambda c: -c["ms"]):
        slowest = max(slowest, call["ms"])
        print(f"  {call['path']:<48} {call['ms']:8.1f} ms  "
              f"{call['ms'] / max(seen['healthMs'], 0.1):7.1f}x /health")
    return slowest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=10_000_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--channels", type=int, default=50)
    args = parser.parse_args()
    root = reachable_tmp_dir("chatlake-bench-page-")
    postgres = EmbeddedPostgres(root=root / "postgres", port=free_port(),
                                log_path=root / "postgres.log")
    store = LakeStore(str(root / "lake"))
    started = time.perf_counter()
    fill_lake(store, args.days, args.messages // args.days, args.channels)
    print(f"lake: {args.messages:,} messages, {args.days} days, {args.channels} channels, "
          f"in {time.perf_counter() - started:.0f} s")
    marts = MartsFile(root / "state" / "warehouse.duckdb")
    started = time.perf_counter()
    build_marts(store, marts, plan_build(store, marts, full=True), run_dbt_subprocess)
    print(f"marts: built in {time.perf_counter() - started:.0f} s")
    postgres.start()
    try:
        apply_migrations(postgres.dsn())
        settings = Settings(postgres={"dsn": postgres.dsn()}, lake={"uri": store.uri},
                            state_dir=root / "state")
        slowest = 0.0
        with live_server(settings) as base:
            for label, interval in (("cold, 1 min", "1m"), ("warm, 1 min", "1m"),
                                    ("warm, 1 s", "1s"), ("warm, 1 h", "1h")):
                slowest = max(slowest, report(label, page_timings(base, interval)))
        print(f"slowest call: {slowest:.0f} ms (target < 1000 ms)")
    finally:
        postgres.stop()


if __name__ == "__main__":
    main()
