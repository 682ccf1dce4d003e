"""Benchmark of the detector against its floor and ceiling, on the same pre-produced messages.

    uv run python bench/bench_detector.py [--messages 1000000] [--parallelism 2]

(a) Kafka -> discard (raw bytes), (b) the detector job end to end (JSON parsing, command filter,
SQL windows, the Python detector, windows to Kafka, detections to PostgreSQL), (c) the seed's
naive design (a Python function on every message). Each runs on a local mini-cluster against
the same topic on an embedded Tansu broker; each is timed from its first output (a marker
record that the first message of every partition is) to its last, so the mini-cluster's
start-up is not counted. Prints messages/s and the ratios.

Synthetic chat (no real data): 50 channels, ~10 messages/s each, 2% commands, 1 burst a minute.
"""

import argparse
import asyncio
import contextlib
import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from chatlake_contracts.chat import chat_message
from chatlake_contracts.detector import DetectorParams

from chatlake.commands.detector import detector_command, ensure_streaming_env, jdbc_parts
from chatlake.embedded import kafka
from chatlake.embedded.postgres import EmbeddedPostgres

PARTITIONS = 3
CHANNELS = 50
START_MS = 1_700_000_000_000
TOPIC = "bench-chat-messages"
MARKERS = "bench-markers"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def messages(n: int, windows: set, seed: int = 7):
    """n v1 chat records in time order; adds each counted (channel, window) to `windows`."""
    rnd = random.Random(seed)
    per_ms = CHANNELS * 10 / 1000  # messages per event-time millisecond, all channels
    for i in range(n):
        ts = START_MS + int(i / per_ms)
        channel = f"{100000 + rnd.randrange(CHANNELS)}"
        burst = (ts // 1000) % 60 < 3 and rnd.random() < 0.5
        text = "!uptime" if rnd.random() < 0.02 else ("PogChamp " * 3 if burst else "nice play")
        if not text.startswith("!"):
            windows.add((channel, ts - ts % 5000))
        yield chat_message(message_id=f"m{i}", broadcaster_id=channel, timestamp=ts, text=text,
                           source="synthetic", broadcaster_login=f"ch{channel}",
                           user_id=str(rnd.randrange(20_000)),
                           user_name=f"user{rnd.randrange(20_000)}")


async def produce(servers: str, n: int) -> tuple[int, float]:
    started = time.monotonic()
    async with AIOKafkaProducer(bootstrap_servers=servers, linger_ms=20,
                                max_batch_size=1 << 20, acks="all") as producer:
        # Markers first and last on every partition. The start markers have no valid time, so
        # the detector dead-letters them: its first dead letter shows that the whole pipeline
        # (Python workers included) is running. The end markers are commands far in the future:
        # they close every window and are counted nowhere.
        for p in range(PARTITIONS):
            marker = {"broadcaster_id": f"__start__-{p}", "timestamp": 0, "text": "!s"}
            await producer.send_and_wait(TOPIC, orjson.dumps(marker),
                                         key=f"__start__-{p}".encode(), partition=p)
        pending = []
        windows: set = set()
        for record in messages(n, windows):
            pending.append(await producer.send(TOPIC, orjson.dumps(record),
                                               key=record["broadcaster_id"].encode()))
            if len(pending) >= 20_000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
        last = START_MS + n * 100  # far past the last message: closes every window
        for p in range(PARTITIONS):
            marker = {"broadcaster_id": f"__end__-{p}", "timestamp": last, "text": "!end",
                      "v": 1, "message_id": f"end-{p}", "source": "synthetic", "metadata": {}}
            await producer.send_and_wait(TOPIC, orjson.dumps(marker),
                                         key=f"__end__-{p}".encode(), partition=p)
    return len(windows), time.monotonic() - started


async def watch(servers: str, topic: str, done, timeout: float,
                start_topic: str | None = None) -> tuple[float, float, int]:
    """Arrival times of the first record (of `start_topic`, if given) and of the record of
    `topic` that makes `done(count, value)`."""
    consumer = AIOKafkaConsumer(bootstrap_servers=servers, enable_auto_commit=False,
                                auto_offset_reset="earliest")
    await consumer.start()
    try:
        start_topic = start_topic or topic
        consumer.assign([TopicPartition(t, p) for t in {topic, start_topic}
                         for p in range(PARTITIONS)])
        await consumer.seek_to_beginning()
        first = None
        count = 0
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=100)
            now = time.monotonic()
            for tp, records in batch.items():
                if tp.topic == start_topic:
                    first = first or now
                if tp.topic != topic:
                    continue
                for record in records:
                    count += 1
                    if done(count, record.value):
                        return first or now, now, count
        raise TimeoutError(f"{topic}: {count} records after {timeout:.0f} s")
    finally:
        await consumer.stop()


def run_job(command: list[str], log: Path, servers: str, topic: str, done,
            timeout: float, start_topic: str | None = None) -> tuple[float, float]:
    """(seconds from first to last output, seconds from launch to last output)."""
    launched = time.monotonic()
    with log.open("wb") as out:
        job = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT,
                               start_new_session=True)
    try:
        first, last, _ = asyncio.run(watch(servers, topic, done, timeout, start_topic))
        return last - first, last - launched
    finally:
        stop(job)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--messages", type=int, default=1_000_000)
    p.add_argument("--parallelism", type=int, default=2)
    p.add_argument("--timeout", type=float, default=900)
    args = p.parse_args()
    python = str(ensure_streaming_env())
    # As root the embedded PostgreSQL runs as `nobody`, which must be able to enter the folder.
    root = Path(tempfile.mkdtemp(prefix="chatlake-bench-"))
    root.chmod(0o755)
    postgres = EmbeddedPostgres(root / "postgres", free_port(), root / "postgres.log")
    kafka_port = free_port()
    try:
        kafka.start(kafka_port, run_dir=root / "run", log_dir=root / "logs")
        servers = f"127.0.0.1:{kafka_port}"
        postgres.start()
        from warehouse.postgres import apply_migrations

        apply_migrations(postgres.dsn())
        names = {"messages": TOPIC, "windows": "bench-chat-windows",
                 "dead_letters": "bench-dead-letters"}
        kafka.create_topics(servers, {t: PARTITIONS for t in [*names.values(), MARKERS,
                                                              MARKERS + "-naive"]})
        windows, seconds = asyncio.run(produce(servers, args.messages))
        print(f"produced {args.messages:,} messages in {seconds:.1f} s "
              f"({args.messages / seconds:,.0f}/s); {windows:,} windows expected", flush=True)
        n = args.messages
        ends = lambda count, value: value.startswith(b"__end__") and count >= 2 * PARTITIONS  # noqa: E731

        bench_job = [python, "-m", "chatlake_streaming.bench_jobs"]
        common = ["--bootstrap", servers, "--topic", TOPIC, "--parallelism",
                  str(args.parallelism)]
        raw, raw_wall = run_job(
            [*bench_job, "raw", *common, "--markers-topic", MARKERS, "--group-id", "bench-raw"],
            root / "raw.log", servers, MARKERS, ends, args.timeout)
        print(f"(a) Kafka -> discard      {n / raw:>10,.0f} msg/s  ({raw:.1f} s; "
              f"{raw_wall:.1f} s from launch)", flush=True)

        jdbc_url, user, password = jdbc_parts(postgres.dsn())
        command = detector_command(
            bootstrap=servers, jdbc_url=jdbc_url, jdbc_user=user, jdbc_password=password,
            checkpoint_dir=root / "checkpoints", params=DetectorParams(), group_id="bench-job",
            parallelism=args.parallelism, messages_topic=names["messages"],
            windows_topic=names["windows"], dead_letters_topic=names["dead_letters"],
            checkpoint_interval_ms=10_000, restore=None)
        detector, detector_wall = run_job(command, root / "job.log", servers, names["windows"],
                                          lambda count, _: count >= windows, args.timeout,
                                          start_topic=names["dead_letters"])
        print(f"(b) detector job          {n / detector:>10,.0f} msg/s  ({detector:.1f} s; "
              f"{detector_wall:.1f} s from launch)", flush=True)

        naive, naive_wall = run_job(
            [*bench_job, "naive", *common, "--markers-topic", MARKERS + "-naive",
             "--group-id", "bench-naive"],
            root / "naive.log", servers, MARKERS + "-naive", ends, args.timeout)
        print(f"(c) naive per-message Py  {n / naive:>10,.0f} msg/s  ({naive:.1f} s; "
              f"{naive_wall:.1f} s from launch)", flush=True)
        print(f"(b)/(a) = {raw / detector:.2f}  (target >= 0.6)")
        print(f"(b)/(c) = {naive / detector:.2f}  (target >= 3)")
    finally:
        kafka.stop(root / "run")
        postgres.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
