"""Benchmark of the detector against its floor and ceiling, on the same pre-produced messages.

    uv run python bench/bench_detector.py [--messages 1000000] [--parallelism 2]

(a) Kafka -> discard (raw bytes), (b) the detector job end to end with the learned preset (JSON
parsing, command filter, SQL windows with their content counts, the learned scorer in Python,
windows to Kafka, detections to PostgreSQL), (c) the seed's naive design (a Python function on
every message). Each runs on a local mini-cluster against
the same pre-produced topic on an embedded Tansu broker, and again on a small topic
(2,000 messages); the difference of the two launch -> last-output times is the time the big
input took without the mini-cluster's start-up. Prints messages/s and the ratios.

Synthetic chat (no real data): 50 channels, ~10 messages/s each, 2% commands, 1 burst a minute;
texts of every kind the content counts look for (emotes, caps, laughter, emoji, Cyrillic).
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
from chatlake_contracts import counting, presets
from chatlake_contracts.chat import chat_message

from chatlake.embedded import kafka
from chatlake.embedded.postgres import EmbeddedPostgres
from detector.job import detector_command, ensure_streaming_env, jdbc_parts

PARTITIONS = 3
CHANNELS = 50
START_MS = 1_700_000_000_000
TOPIC = "bench-chat-messages"
# The start-up reference: the same jobs on this few messages (see main).
SMALL_TOPIC = "bench-chat-messages-small"
SMALL_MESSAGES = 2_000
# What (b) runs: the job's default, the learned scorer on 2 s windows.
PARAMS = presets.LEARNED
BUCKET_MS = PARAMS.bucket_ms
TEXTS = ("nice play", "what was that", "LUL", "WHAT A PLAY", "lol that was close",
         "\u0445\u0430\u0445\u0430\u0445\u0430", "\U0001f602\U0001f602", "gg wp", "Kappa Kappa",
         "is this the final game?")


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
        text = "!uptime" if rnd.random() < 0.02 else (
            "PogChamp " * 3 if burst else TEXTS[rnd.randrange(len(TEXTS))])
        if counting.counts(channel, ts, text):
            windows.add((channel, ts - ts % BUCKET_MS))
        yield chat_message(message_id=f"m{i}", broadcaster_id=channel, timestamp=ts, text=text,
                           source="synthetic", broadcaster_login=f"ch{channel}",
                           user_id=str(rnd.randrange(20_000)),
                           user_name=f"user{rnd.randrange(20_000)}")


async def produce(servers: str, n: int, topic: str = TOPIC) -> tuple[int, float]:
    started = time.monotonic()
    async with AIOKafkaProducer(bootstrap_servers=servers, linger_ms=20,
                                max_batch_size=1 << 20, acks="all") as producer:
        # Markers first and last on every partition. The start markers have no valid time, so
        # the detector dead-letters them: its first dead letter shows that the whole pipeline
        # (Python workers included) is running. The end markers are commands far in the future:
        # they close every window and are counted nowhere.
        for p in range(PARTITIONS):
            marker = {"broadcaster_id": f"__start__-{p}", "timestamp": 0, "text": "!s"}
            await producer.send_and_wait(topic, orjson.dumps(marker),
                                         key=f"__start__-{p}".encode(), partition=p)
        pending = []
        windows: set = set()
        for record in messages(n, windows):
            pending.append(await producer.send(topic, orjson.dumps(record),
                                               key=record["broadcaster_id"].encode()))
            if len(pending) >= 20_000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
        last = START_MS + n * 100  # far past the last message: closes every window
        for p in range(PARTITIONS):
            marker = {"broadcaster_id": f"__end__-{p}", "timestamp": last, "text": "!end",
                      "v": 1, "message_id": f"end-{p}", "source": "synthetic", "metadata": {}}
            await producer.send_and_wait(topic, orjson.dumps(marker),
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
        kafka.create_topics(servers, {TOPIC: PARTITIONS, SMALL_TOPIC: PARTITIONS})
        windows, seconds = asyncio.run(produce(servers, args.messages))
        small_windows, _ = asyncio.run(produce(servers, SMALL_MESSAGES, SMALL_TOPIC))
        print(f"produced {args.messages:,} messages in {seconds:.1f} s "
              f"({args.messages / seconds:,.0f}/s); {windows:,} windows expected", flush=True)
        n = args.messages
        bench_job = [python, "-m", "chatlake_streaming.bench_jobs"]
        jdbc_url, user, password = jdbc_parts(postgres.dsn())

        def raw_or_naive(kind: str, topic: str, run: str) -> tuple[float, float]:
            markers = f"bench-markers-{run}"
            kafka.create_topics(servers, {markers: PARTITIONS})
            ends = lambda count, value: (  # noqa: E731
                value.startswith(b"__end__") and count >= 2 * PARTITIONS)
            return run_job(
                [*bench_job, kind, "--bootstrap", servers, "--topic", topic, "--parallelism",
                 str(args.parallelism), "--markers-topic", markers, "--group-id", run],
                root / f"{run}.log", servers, markers, ends, args.timeout)

        def detector(topic: str, expected_windows: int, run: str) -> tuple[float, float]:
            names = {"windows": f"{run}-windows", "dead_letters": f"{run}-dead-letters"}
            kafka.create_topics(servers, {t: PARTITIONS for t in names.values()})
            command = detector_command(
                bootstrap=servers, jdbc_url=jdbc_url, jdbc_user=user, jdbc_password=password,
                checkpoint_dir=root / f"{run}-checkpoints", params=PARAMS,
                group_id=run, parallelism=args.parallelism, messages_topic=topic,
                windows_topic=names["windows"], dead_letters_topic=names["dead_letters"],
                checkpoint_interval_ms=10_000, restore=None)
            return run_job(command, root / f"{run}.log", servers, names["windows"],
                           lambda count, _: count >= expected_windows, args.timeout,
                           start_topic=names["dead_letters"])

        # Each design runs twice, on the big input and on a small one; the difference of the
        # launch -> last-output times is the big input's processing time, start-up excluded
        # (a first-output clock flatters the detector, whose sources start before its Python).
        designs = {
            "(a) Kafka -> discard     ": (lambda t, w, r: raw_or_naive("raw", t, r)),
            "(b) detector job         ": detector,
            "(c) naive per-message Py ": (lambda t, w, r: raw_or_naive("naive", t, r)),
        }
        rates = {}
        for index, (label, run_design) in enumerate(designs.items()):
            _, small_wall = run_design(SMALL_TOPIC, small_windows, f"bench-{index}-small")
            first_to_last, big_wall = run_design(TOPIC, windows, f"bench-{index}-big")
            rates[label] = (n - SMALL_MESSAGES) / (big_wall - small_wall)
            print(f"{label}{rates[label]:>10,.0f} msg/s  (launch -> last output: "
                  f"{big_wall:.1f} s for {n:,}, {small_wall:.1f} s for {SMALL_MESSAGES:,}; "
                  f"first -> last output {first_to_last:.1f} s)", flush=True)
        raw, job, naive = rates.values()
        print(f"(b)/(a) = {job / raw:.2f}  (target >= 0.6)")
        print(f"(b)/(c) = {job / naive:.2f}  (target >= 3)")
    finally:
        kafka.stop(root / "run")
        postgres.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
