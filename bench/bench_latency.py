"""Highlight latency through the demo stack: chat bursts replayed into the Twitch stand-in ->
ingest -> Kafka -> the PyFlink detector -> PostgreSQL -> the clipper -> Create Clip -> clip.

    uv run python bench/bench_latency.py [--seconds 600] [--channels 6]

Runs `chatlake demo` (detector included, synthetic chat with a burst on each channel about
every 2 minutes, the demo's 60 s baseline) on free ports in a temporary state folder, then
reads every detection's timestamps from PostgreSQL and prints p50/p99 of
- window end -> detection committed   (clips.recorded_at - window_end)
- detection -> Create Clip called      (create_requested_at - detected_at)
- detection -> clip completed          (completed_at - detected_at)
each beside its floor in the same run, the latency the design itself imposes (the ratio is how
far above that floor the system runs): the watermark's out-of-orderness (2 s), the default
preset's wait for a higher peak (peak_wait windows, 2 x 2 s) and the JDBC sink's flush
interval (0.2 s) for the first; the configured Create Clip delay
(`CHATLAKE_CLIPPER_CREATE_DELAY_S`, 5 s by default) for the second; that delay plus the
configured read-after (15 s) for the third. It also prints the clipper's own histograms
(chatlake_detection_commit_seconds, ...) as scraped, to show the
exported numbers agree. Targets (issue 15): p99 window end -> committed <= 8 s; detection ->
Create Clip = the configured delay + <= 2 s. Synthetic chat only.
"""

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from chatlake_contracts import presets

from core.settings import ClipperSettings
from tests.support import REPO_ROOT, free_port, reachable_tmp_dir

OUT_OF_ORDERNESS_S = 2.0  # the job's --out-of-orderness-ms default
IDLE_TIMEOUT_S = 30.0  # the job's --idle-timeout-ms default
JDBC_FLUSH_S = 0.2  # sql.CLIPS_FLUSH_MS, the clips sink's sink.buffer-flush.interval
# The default preset fires at the highest score among the crossing window and the peak_wait
# after it, so a detection of the crossing window waits for those windows to close too.
_DEFAULT = presets.preset(presets.DEFAULT_PRESET)
PEAK_WAIT_S = _DEFAULT.peak_wait * _DEFAULT.bucket_ms / 1000
COMMIT_FLOOR_S = OUT_OF_ORDERNESS_S + PEAK_WAIT_S + JDBC_FLUSH_S
CREATE_DELAY_S = ClipperSettings().create_delay_s  # CHATLAKE_CLIPPER_CREATE_DELAY_S default
READ_AFTER_S = ClipperSettings().read_after_s  # CHATLAKE_CLIPPER_READ_AFTER_S default

QUERY = """
select extract(epoch from recorded_at - window_end),
       extract(epoch from create_requested_at - detected_at),
       extract(epoch from completed_at - detected_at), status, id, broadcaster_id,
       extract(epoch from window_end - min(window_end) over ()), extract(epoch from window_end)
from clips where recorded_at is not null order by id"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[int(q) - 1]


def scrape(port: int) -> str:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
            return response.read().decode()
    except OSError:
        return ""


def histogram_counts(text: str, name: str) -> list[tuple[str, float]]:
    prefix = f"{name}_bucket{{le=\""
    return [(line[len(prefix):line.index('"', len(prefix))], float(line.rsplit(" ", 1)[1]))
            for line in text.splitlines() if line.startswith(prefix)]


def histogram_quantile(buckets: list[tuple[str, float]], q: float) -> str:
    total = buckets[-1][1] if buckets else 0
    if not total:
        return "-"
    for le, count in buckets:
        if count >= q * total:
            return f"<= {le} s"
    return "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=600.0,
                        help="How long the demo runs (detections start after ~2 minutes).")
    parser.add_argument("--channels", type=int, default=6)
    args = parser.parse_args()

    state = reachable_tmp_dir("chatlake-bench-latency-")
    ports = {name: free_port() for name in (
        "KAFKA_PORT", "POSTGRES_PORT", "TWITCH_STANDIN_PORT", "API_PORT",
        "METRICS_MONITOR_PORT", "METRICS_INGEST_PORT", "METRICS_CLIPPER_PORT",
        "METRICS_ARCHIVER_PORT", "METRICS_DETECTOR_PORT", "DETECTOR_METRICS_PORT")}
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHATLAKE_")}
    env.update({f"CHATLAKE_{name}": str(port) for name, port in ports.items()})
    env["CHATLAKE_STATE_DIR"] = str(state)
    dsn = f"postgresql://chatlake@127.0.0.1:{ports['POSTGRES_PORT']}/chatlake"
    out_path = state / "demo.out"
    print(f"running the demo for {args.seconds:.0f} s (state {state}) ...", flush=True)
    with out_path.open("wb") as out:
        demo = subprocess.Popen(
            [sys.executable, "-m", "chatlake.cli", "demo", "--duration", str(args.seconds),
             "--channels", str(args.channels), "--monitor-interval", "5"],
            env=env, cwd=REPO_ROOT, stdout=out, stderr=subprocess.STDOUT)
    rows, metrics_text, job_started = [], "", None
    try:
        deadline = time.monotonic() + args.seconds + 300
        # Read just before the demo ends: it stops its servers on the way out.
        while demo.poll() is None and time.monotonic() < deadline:
            time.sleep(5)
            try:
                with psycopg.connect(dsn, connect_timeout=3) as conn:
                    rows = conn.execute(QUERY).fetchall()
            except psycopg.Error:
                pass
            metrics_text = scrape(ports["METRICS_CLIPPER_PORT"]) or metrics_text
            job_started = job_started or job_start(state / "logs" / "demo-detector.log")
    finally:
        if demo.poll() is None:
            demo.send_signal(signal.SIGINT)
            demo.wait(timeout=120)
        subprocess.run([sys.executable, "-m", "chatlake.cli", "down"], env=env, cwd=REPO_ROOT,
                       capture_output=True, timeout=120, check=False)
    report(rows, metrics_text, job_started)
    shutil.rmtree(state, ignore_errors=True)


def job_start(log: Path) -> float | None:
    """When the Flink job was submitted (the driver's "reading ..." line), epoch seconds."""
    try:
        lines = log.read_text(errors="replace").splitlines()
    except FileNotFoundError:
        return None
    for line in lines:
        if "detector: reading" in line:
            stamp = datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f")
            return stamp.replace(tzinfo=UTC).timestamp()  # the demo's JVM and logs run in UTC
    return None


def report(rows: list[tuple], metrics_text: str, job_started: float | None) -> None:
    commit = [float(r[0]) for r in rows if r[0] is not None]
    create = [float(r[1]) for r in rows if r[1] is not None]
    done = [float(r[2]) for r in rows if r[2] is not None]
    statuses = {}
    for row in rows:
        statuses[row[3]] = statuses.get(row[3], 0) + 1
    print(f"detections: {len(rows)} ({', '.join(f'{n} {s}' for s, n in sorted(statuses.items()))})")
    if not rows:
        print("no detections: run longer (--seconds)")
        return
    floors = {"window end -> detection committed": (commit, COMMIT_FLOOR_S),
              "detection -> Create Clip called": (create, CREATE_DELAY_S),
              "detection -> clip completed": (done, CREATE_DELAY_S + READ_AFTER_S)}
    print(f"{'latency':36} {'n':>4} {'p50 s':>7} {'p99 s':>7} {'max s':>7} {'floor s':>8} "
          f"{'p99/floor':>9}")
    for name, (values, floor) in floors.items():
        if not values:
            print(f"{name:36} {0:>4}")
            continue
        p50, p99 = percentile(values, 50), percentile(values, 99)
        print(f"{name:36} {len(values):>4} {p50:7.2f} {p99:7.2f} {max(values):7.2f} "
              f"{floor:8.1f} {p99 / floor:9.2f}")
    if job_started is not None:
        # The job's Kafka source holds the watermark until every partition brought data or
        # was idle for IDLE_TIMEOUT_S: windows ending in that start-up stretch wait for it.
        settled = [float(r[0]) for r in rows
                   if r[0] is not None and float(r[7]) > job_started + IDLE_TIMEOUT_S]
        if settled:
            print(f"{'  ... windows ending > 30 s after the job started':36} {len(settled):>4} "
                  f"{percentile(settled, 50):7.2f} {percentile(settled, 99):7.2f} "
                  f"{max(settled):7.2f} {COMMIT_FLOOR_S:8.1f} "
                  f"{percentile(settled, 99) / COMMIT_FLOOR_S:9.2f}")
        print(f"detector job started {min(float(r[7]) for r in rows) - job_started:+.0f} s "
              f"before the first detection's window end")
    slowest = sorted(rows, key=lambda r: -float(r[0] or 0))[:3]
    print("slowest commits: " + "; ".join(
        f"#{r[4]} channel {r[5]} window end +{float(r[6]):.0f} s after the first detection's: "
        f"{float(r[0]):.2f} s" for r in slowest))
    for metric in ("chatlake_detection_commit_seconds",
                   "chatlake_clipper_detection_to_create_seconds",
                   "chatlake_clipper_detection_to_clip_seconds"):
        buckets = histogram_counts(metrics_text, metric)
        count = buckets[-1][1] if buckets else 0
        print(f"  exported {metric}: {count:.0f} observations, p50 "
              f"{histogram_quantile(buckets, 0.5)}, p99 {histogram_quantile(buckets, 0.99)}")
    if commit and create:
        ok_commit = percentile(commit, 99) <= 8.0
        ok_create = percentile(create, 99) <= CREATE_DELAY_S + 2.0
        print(f"targets: p99 window end -> committed <= 8 s: {'met' if ok_commit else 'MISSED'}; "
              f"p99 detection -> Create Clip <= {CREATE_DELAY_S + 2.0:.0f} s: "
              f"{'met' if ok_create else 'MISSED'}")


if __name__ == "__main__":
    main()
