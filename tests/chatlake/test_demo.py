"""`chatlake demo` end to end: a fresh state folder and free ports, detections injected (the
test does not wait for the detector's baseline), clips completed by the clipper against the
stand-in, chat in the lake, then Ctrl-C leaves no process behind."""

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psutil
import psycopg
import pytest

from tests.support import free_port, reachable_tmp_dir

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = condition()
        except (psycopg.Error, OSError):
            value = None
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.5)


def followed(dsn: str) -> list[str]:
    with psycopg.connect(dsn, connect_timeout=2) as conn:
        rows = conn.execute("select broadcaster_id from monitor_follows order by last_rank")
        return [channel for (channel,) in rows]


def inject_detections(dsn: str, channels: list[str]) -> list[int]:
    at = datetime.now(tz=UTC) - timedelta(seconds=10)
    with psycopg.connect(dsn) as conn:
        return [conn.execute(
            "insert into clips (broadcaster_id, detected_at, window_end, status)"
            " values (%s, %s, %s, 'pending') returning id", [c, at, at]).fetchone()[0]
            for c in channels]


def statuses(dsn: str, ids: list[int]) -> list[tuple]:
    with psycopg.connect(dsn, connect_timeout=2) as conn:
        return conn.execute("select status, clip_id, embed_url, thumbnail_url from clips"
                            " where id = any(%s) order by id", [ids]).fetchall()


def family(demo: subprocess.Popen, state: Path, kafka_port: int) -> list[psutil.Process]:
    """The demo, its children, and the servers that left its process tree (PostgreSQL)."""
    found = {demo.pid: psutil.Process(demo.pid)}
    found.update({p.pid: p for p in found[demo.pid].children(recursive=True)})
    for process in psutil.process_iter(["cmdline"]):
        cmdline = " ".join(process.info["cmdline"] or [])
        if str(state) in cmdline or f"127.0.0.1:{kafka_port}" in cmdline:
            found[process.pid] = process
    return list(found.values())


def test_demo_completes_clips_fills_the_lake_and_stops_cleanly():
    state = reachable_tmp_dir("chatlake-demo-")
    ports = {name: free_port() for name in (
        "KAFKA_PORT", "POSTGRES_PORT", "TWITCH_STANDIN_PORT", "API_PORT",
        "METRICS_MONITOR_PORT", "METRICS_INGEST_PORT", "METRICS_CLIPPER_PORT",
        "METRICS_ARCHIVER_PORT")}
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHATLAKE_")}
    env.update({f"CHATLAKE_{name}": str(port) for name, port in ports.items()})
    env.update({"CHATLAKE_STATE_DIR": str(state), "CHATLAKE_CLIPPER_READ_AFTER_S": "2"})
    dsn = f"postgresql://chatlake@127.0.0.1:{ports['POSTGRES_PORT']}/chatlake"
    output = state / "demo.out"
    with output.open("wb") as out:
        demo = subprocess.Popen(
            [sys.executable, "-m", "chatlake.cli", "demo", "--no-detector", "--duration",
             "900", "--monitor-interval", "2"], env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        channels = wait_for(lambda: len(followed(dsn)) >= 5 and followed(dsn), 180,
                            "the monitor to follow the top 5")
        ids = inject_detections(dsn, channels[:2])
        done = wait_for(lambda: all(s[0] in ("completed", "failed") for s in statuses(dsn, ids))
                        and statuses(dsn, ids), 120, "the clipper to finish the detections")
        assert [row[0] for row in done] == ["completed", "completed"], output.read_text()
        assert all(clip_id and embed and thumb for _, clip_id, embed, thumb in done)
        lake = state / "lake" / "chat_messages"
        wait_for(lambda: list(lake.rglob("*.parquet")), 60, "chat in the lake")
        text = output.read_text()
        assert "Where to look" in text and "chatlake status" in text

        processes = family(demo, state, ports["KAFKA_PORT"])
        assert len(processes) >= 6  # demo, kafka, postgres, archiver, api, ingest, clipper
        demo.send_signal(signal.SIGINT)
        assert demo.wait(timeout=120) == 0, output.read_text()[-3000:]
        _, alive = psutil.wait_procs(processes, timeout=10)
        assert not [p for p in alive if p.status() != psutil.STATUS_ZOMBIE], \
            [p.cmdline() for p in alive]
        assert not list((state / "run").glob("*.pid"))
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait()
        subprocess.run([sys.executable, "-m", "chatlake.cli", "down"], env=env,
                       capture_output=True, timeout=120)
        import shutil

        shutil.rmtree(state, ignore_errors=True)
