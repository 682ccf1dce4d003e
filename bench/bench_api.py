"""Benchmark of GET /v1.0/clip?limit=50 beside a trivial endpoint of the same app, same run.

    uv run python bench/bench_api.py [--seconds 10] [--connections 16] [--clips 5000]

Starts an embedded PostgreSQL in a temporary folder, fills `clips` with synthetic completed
clips, serves the app with uvicorn (one worker, as `chatlake api serve` does) in a child process
on a free loopback port, and loads it with `wrk` (apt-get install wrk) on 127.0.0.1, or with a
small asyncio+httpx generator in another process when wrk is absent. The trivial endpoint is
`/health`: a Litestar handler returning a Struct, no I/O, through the same middleware.
Prints requests/s and latency percentiles for both, and the ratio. Synthetic data only.

Target (issue 6): the clip endpoint reaches at least 0.5 of the trivial endpoint's rate, with
p99 under 50 ms. Both the server and the load generator share this machine's 2 cores.
"""

import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import psycopg

from chatlake.embedded.postgres import EmbeddedPostgres
from tests.support import free_port, reachable_tmp_dir
from warehouse.postgres import apply_migrations

ROOT = Path(__file__).resolve().parents[1]
TRIVIAL = "/health"
CLIPS = "/v1.0/clip?limit=50"
# The same page with a start that differs on every request (by microseconds, before any clip),
# so each one misses the one-second cache and queries PostgreSQL: the cost of a cold page.
UNCACHED = "/v1.0/clip?limit=50&start=2020-01-01T00:00:00.{n:06d}Z"
WRK_UNIQUE_LUA = """
local n = 0
request = function()
  n = (n + 1) % 1000000
  return wrk.format("GET", string.format("/v1.0/clip?limit=50&start=2020-01-01T00:00:00.%06dZ", n))
end
"""
ENDPOINTS = (("trivial", TRIVIAL), ("clips", CLIPS), ("clips, uncached", UNCACHED))


def seed(dsn: str, count: int) -> None:
    now = datetime.now(UTC)
    with psycopg.connect(dsn) as conn, conn.cursor() as cursor:
        cursor.executemany(
            "insert into clips (broadcaster_id, clip_id, embed_url, thumbnail_url, title,"
            " detected_at, created_at, window_end, message_count, status)"
            " values (%s, %s, %s, %s, %s, %s, %s, %s, %s, 'completed')",
            [
                (
                    str(1000 + n % 20),
                    f"BenchClip{n:06d}",
                    f"https://clips.twitch.tv/embed?clip=BenchClip{n:06d}",
                    f"https://clips-media-assets2.twitch.tv/BenchClip{n:06d}-preview-480x272.jpg",
                    f"bench clip {n}",
                    now - timedelta(minutes=2 * n),
                    now - timedelta(minutes=2 * n) + timedelta(seconds=10),
                    now - timedelta(minutes=2 * n),
                    50 + n % 100,
                )
                for n in range(count)
            ],
        )
        conn.execute("analyze clips")


def start_api(dsn: str, lake: Path, port: int, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "CHATLAKE_POSTGRES_DSN": dsn,
        "CHATLAKE_LAKE_URI": str(lake),
        "CHATLAKE_API_PORT": str(port),
    }
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "chatlake.cli", "api", "serve"],
            env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    server.terminate()
    raise RuntimeError(f"the API did not become ready; see {log}")


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(url: str, seconds: int, connections: int) -> dict:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        if "{n:06d}" in url:
            script.write(WRK_UNIQUE_LUA)
            script.flush()
            command += ["-s", script.name]
            url = url.split("/v1.0/")[0]
        out = subprocess.run(
            [*command, url], capture_output=True, text=True, check=True
        ).stdout
    result = {"requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])}
    for pct in ("50", "90", "99"):
        match = re.search(rf"^\s+{pct}(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        result[f"p{pct}_ms"] = round(_ms(match[1], match[2]), 2)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    result["errors"] = int(errors[1]) if errors else 0
    return result


async def _load(url: str, seconds: float, connections: int) -> dict:
    latencies: list[float] = []
    errors = 0
    stop = time.monotonic() + seconds

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal errors
        n = 0
        while time.monotonic() < stop:
            n += 1
            began = time.perf_counter()
            response = await client.get(url.replace("{n:06d}", f"{n % 1_000_000:06d}"))
            latencies.append(time.perf_counter() - began)
            errors += response.status_code != 200

    limits = httpx.Limits(max_connections=connections)
    async with httpx.AsyncClient(limits=limits) as client:
        began = time.monotonic()
        await asyncio.gather(*(worker(client) for _ in range(connections)))
        elapsed = time.monotonic() - began
    latencies.sort()
    pick = lambda q: round(latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000, 2)  # noqa: E731
    return {"requests_per_s": round(len(latencies) / elapsed, 1), "p50_ms": pick(0.5),
            "p90_ms": pick(0.9), "p99_ms": pick(0.99), "errors": errors}


def run_python_loadgen(url: str, seconds: int, connections: int) -> dict:
    """The fallback generator, in its own process so it does not share the server's GIL."""
    code = (
        f"import asyncio, json, sys; sys.path.insert(0, {str(ROOT)!r}); "
        "from bench.bench_api import _load; "
        f"print(json.dumps(asyncio.run(_load({url!r}, {seconds}, {connections}))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--clips", type=int, default=5000)
    args = parser.parse_args()

    generator = "wrk" if shutil.which("wrk") else "python-httpx"
    root = reachable_tmp_dir("chatlake-bench-api-")
    server = None
    postgres = EmbeddedPostgres(
        root=root / "postgres", port=free_port(), log_path=root / "postgres.log"
    )
    try:
        postgres.start()
        apply_migrations(postgres.dsn())
        seed(postgres.dsn(), args.clips)
        port = free_port()
        with tempfile.TemporaryDirectory() as lake:
            server = start_api(postgres.dsn(), Path(lake), port, root / "api.log")
            base = f"http://127.0.0.1:{port}"
            load = run_wrk if generator == "wrk" else run_python_loadgen
            load(base + CLIPS, 2, args.connections)  # warm-up: pool, prepared statements
            results = {}
            for name, path in ENDPOINTS:
                results[name] = load(base + path, args.seconds, args.connections)
        ratio = results["clips"]["requests_per_s"] / results["trivial"]["requests_per_s"]
        print(f"generator: {generator}, {args.connections} connections, {args.seconds} s each, "
              f"{args.clips} clips in PostgreSQL, one uvicorn worker")
        print(f"trivial = {TRIVIAL}, clips = {CLIPS}")
        print(f"{'endpoint':<24}{'req/s':>10}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'non-200':>9}")
        for name, _ in ENDPOINTS:
            r = results[name]
            print(f"{name:<24}{r['requests_per_s']:>10.0f}{r['p50_ms']:>9}{r['p90_ms']:>9}"
                  f"{r['p99_ms']:>9}{r['errors']:>9}")
        cold = results["clips, uncached"]["requests_per_s"] / results["trivial"]["requests_per_s"]
        print(f"clips / trivial rate: {ratio:.2f} (target >= 0.5); "
              f"clips p99 {results['clips']['p99_ms']} ms (target < 50); "
              f"uncached / trivial: {cold:.2f}")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=15)
        postgres.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
