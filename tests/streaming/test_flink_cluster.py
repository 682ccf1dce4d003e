"""The detector on a real standalone Flink cluster (JobManager + two TaskManagers from the pyflink
wheel's Flink 2.0.0, their own ports and folders), submitted by `chatlake detector submit`; one
TaskManager is SIGKILLed mid-stream
(one that runs tasks of the job) and Flink restores the job from its checkpoint in place."""

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace

import pytest
from chatlake_contracts import presets, topics

from detector import reference as detection
from detector.flink_cluster import StandaloneCluster, rest
from tests.streaming import support
from tests.support import REPO_ROOT, free_port, private_broker, reachable_tmp_dir
from warehouse.postgres import apply_migrations

pytestmark = [pytest.mark.integration, pytest.mark.slow]

HOUR_MS = 3_600_000
CHANNEL = "dota2-cluster"


@pytest.fixture(scope="module")
def own_broker() -> Iterator[str]:
    """A broker of this module's own: the job reads the contract topic names, as in production."""
    with private_broker() as servers:
        yield servers


@pytest.fixture(scope="module")
def flink_cluster() -> Iterator[StandaloneCluster]:
    root = reachable_tmp_dir("chatlake-flink-")
    cluster = StandaloneCluster(root, rest_port=free_port(), rpc_port=free_port(),
                                blob_port=free_port(), taskmanagers=2, slots=2)
    try:
        cluster.start(timeout=240)
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


def windows_of(records: list[dict]) -> list[tuple]:
    return sorted({(r["broadcaster_id"], r["window_start"], r["window_end"],
                    r["message_count"], r["chatter_count"])
                   for r in records if r["broadcaster_id"] == CHANNEL})


def checkpoints(cluster: StandaloneCluster, job_id: str) -> dict:
    return rest(cluster.address, f"/jobs/{job_id}/checkpoints")


def test_taskmanager_killed_mid_stream_restores_from_the_checkpoint(
        own_broker, external_postgres, flink_cluster, dota2_file, tmp_path):
    # Kafka, PostgreSQL and Flink are all started by the test, none by chatlake: the job gets
    # a DSN with a password for a non-superuser on Debian's PostgreSQL 15.
    servers, dsn, cluster = own_broker, external_postgres, flink_cluster
    apply_migrations(dsn)
    # No preset set: the job runs the default one (learned), its content counts included.
    params = presets.preset(presets.DEFAULT_PRESET)
    records = support.load_chat(dota2_file, CHANNEL)
    content_windows = detection.windows_from_records(records, params.bucket_ms, content=True)
    ref_windows = [w[:5] for w in content_windows]
    # As the clips table holds them (no column for the learned score).
    ref_detections = [replace(d, score=None) for d in detection.detect(content_windows, params)]
    assert len(ref_detections) >= 3

    cut = len(records) * 2 // 3
    support.produce(servers, topics.CHAT_MESSAGES, records[:cut])
    env = os.environ | {
        "CHATLAKE_STATE_DIR": str(tmp_path / "state"),
        "CHATLAKE_KAFKA_BOOTSTRAP_SERVERS": servers, "CHATLAKE_POSTGRES_DSN": dsn,
        "CHATLAKE_DETECTOR_FLINK_ADDRESS": cluster.address,
        "CHATLAKE_DETECTOR_PARALLELISM": "2", "CHATLAKE_DETECTOR_GROUP_ID": "cluster-test",
    }
    submitted = subprocess.run([sys.executable, "-m", "chatlake.cli", "detector", "submit"],
                               capture_output=True, text=True, env=env, cwd=REPO_ROOT,
                               timeout=300, check=False)
    assert submitted.returncode == 0, submitted.stderr[-3000:]
    job_id = submitted.stdout.strip().splitlines()[-1]
    try:
        # Mid-stream: windows flow and a checkpoint is complete; both TaskManagers run tasks.
        assert support.wait_for(
            lambda: checkpoints(cluster, job_id)["counts"]["completed"] >= 1
            and len(support.read_topic(servers, topics.CHAT_WINDOWS, expect=50, timeout=2))
            >= 50, timeout=240), cluster.log_tail("jobmanager")
        # SIGKILL a TaskManager that runs tasks of the job; the other has the slots to take
        # them all over.
        running = sorted(cluster.task_managers_of(job_id))
        assert running, cluster.log_tail("jobmanager")
        victim = running[0]
        survivor = ({"tm-0", "tm-1"} - {victim}).pop()
        cluster.kill_taskmanager(int(victim.removeprefix("tm-")))

        support.produce(servers, topics.CHAT_MESSAGES, records[cut:])
        support.produce_ticks(servers, topics.CHAT_MESSAGES, records[-1]["timestamp"] + HOUR_MS)
        windows = support.read_topic(
            servers, topics.CHAT_WINDOWS, expect=len(ref_windows), timeout=400,
            done=lambda got: len(windows_of(got)) >= len(ref_windows))
        # Windows replayed after the restore may repeat (at-least-once), never differ.
        assert windows_of(windows) == ref_windows, cluster.log_tail("jobmanager")
        assert support.wait_for(
            lambda: len(support.detections_in_postgres(dsn, CHANNEL)) >= len(ref_detections),
            timeout=120)
        time.sleep(3)  # anything extra would arrive now
        # Exactly the reference's detections, one row each: the upsert never doubles one.
        assert support.detections_in_postgres(dsn, CHANNEL) == ref_detections

        # The same job went on: restored in place from a checkpoint, on the surviving worker.
        job = cluster.job(job_id)
        assert job["state"] == "RUNNING"
        restored = checkpoints(cluster, job_id)["latest"]["restored"]
        assert restored is not None and restored["is_savepoint"] is False
        assert cluster.task_managers_of(job_id) == {survivor}
    finally:
        cluster.cancel(job_id)
