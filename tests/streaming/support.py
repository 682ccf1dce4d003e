"""Helpers for the detector's end-to-end tests and benchmark: a real broker, a real PostgreSQL,
the job as a child process, producing and reading records, waiting on counts (never on Tansu's
end offsets, which are wrong when producers batch)."""

import asyncio
import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from chatlake_contracts import topics
from chatlake_contracts.detector import Detection, DetectorParams

from chatlake.embedded import kafka as embedded_kafka
from chatlake.embedded import processes
from detector.job import detector_command, ensure_streaming_env
from warehouse.postgres import connect

TICK_BROADCASTER = "chatlake-tick"
# The replayed files hold offsets into the video only; the replay places them at this time.
REPLAY_START = datetime(2019, 3, 1, 18, 0, tzinfo=UTC)


def load_chat(path: Path, channel: str) -> list[dict]:
    """The v1 records of a chat file (the importers' BadLines left out)."""
    from ingest.importers import ImportOptions, read_chat_file

    options = ImportOptions(channel=channel, channel_id=channel, start=REPLAY_START)
    return [r for r in read_chat_file(path, options) if isinstance(r, dict)]


def create_topics(servers: str, prefix: str, partitions: int = 3,
                  **fixed: str) -> dict[str, str]:
    """Fresh topic names for one test run: messages, windows, dead letters (or `fixed` ones)."""
    names = {"messages": f"{prefix}-{topics.CHAT_MESSAGES}",
             "windows": f"{prefix}-{topics.CHAT_WINDOWS}",
             "dead_letters": f"{prefix}-{topics.DEAD_LETTERS}"} | fixed
    embedded_kafka.create_topics(servers, {name: partitions for name in names.values()})
    return names


def produce(servers: str, topic: str, values: Iterable[bytes | dict[str, Any]],
            key: Callable[[Any], bytes | None] | None = None) -> int:
    return asyncio.run(_produce(servers, topic, values, key))


async def _produce(servers, topic, values, key) -> int:
    count = 0
    async with AIOKafkaProducer(bootstrap_servers=servers, linger_ms=20,
                                max_batch_size=1 << 20, acks="all") as producer:
        pending = []
        for value in values:
            raw = value if isinstance(value, bytes) else orjson.dumps(value)
            k = key(value) if key else (
                value["broadcaster_id"].encode() if isinstance(value, dict)
                and isinstance(value.get("broadcaster_id"), str) else None)
            pending.append(await producer.send(topic, raw, key=k))
            count += 1
            if len(pending) >= 10_000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
    return count


def produce_ticks(servers: str, topic: str, timestamp: int, partitions: int = 3) -> None:
    """A command message on every partition at `timestamp`: it moves the watermark past the
    windows before it (so they close) without being counted anywhere (commands are dropped)."""
    asyncio.run(_produce_ticks(servers, topic, timestamp, partitions))


async def _produce_ticks(servers, topic, timestamp, partitions) -> None:
    async with AIOKafkaProducer(bootstrap_servers=servers, acks="all") as producer:
        for p in range(partitions):
            tick = {"v": 1, "message_id": f"tick-{timestamp}-{p}",
                    "broadcaster_id": TICK_BROADCASTER, "timestamp": timestamp,
                    "text": "!chatlake-tick", "source": "synthetic", "metadata": {}}
            await producer.send_and_wait(topic, orjson.dumps(tick), partition=p)


def read_topic(servers: str, topic: str, *, expect: int, timeout: float,
               done: Callable[[list[dict]], bool] | None = None) -> list[dict]:
    """Read a topic from the start until `expect` records arrived (or `done(records)` holds) or
    `timeout` passed."""
    return asyncio.run(_read_topic(servers, topic, expect, timeout, done))


async def _read_topic(servers, topic, expect, timeout, done) -> list[dict]:
    consumer = AIOKafkaConsumer(bootstrap_servers=servers, enable_auto_commit=False,
                                auto_offset_reset="earliest")
    await consumer.start()
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        if not partitions:
            await consumer.client.force_metadata_update()
            partitions = consumer.partitions_for_topic(topic) or set()
        consumer.assign([TopicPartition(topic, p) for p in sorted(partitions)])
        await consumer.seek_to_beginning()
        records: list[dict] = []
        deadline = time.monotonic() + timeout
        finished = done or (lambda got: len(got) >= expect)
        while not finished(records) and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for messages in batch.values():
                records.extend(orjson.loads(m.value) for m in messages)
        return records
    finally:
        await consumer.stop()


def jdbc_url(dsn: str) -> str:
    # postgresql://user@host:port/db -> jdbc:postgresql://host:port/db (user passed apart)
    return "jdbc:" + dsn.split("://", 1)[0] + "://" + dsn.split("@", 1)[1]


@dataclass
class Job:
    process: subprocess.Popen
    log: Path

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL the whole job: the launcher, its JVM and the Python workers."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()

    def log_tail(self, lines: int = 40) -> str:
        return processes.log_tail(self.log, lines)


def start_job(*, servers: str, dsn: str, names: dict[str, str], state_dir: Path,
              params: DetectorParams, group_id: str, parallelism: int = 1,
              checkpoint_interval_ms: int = 2_000, extra: list[str] | None = None,
              params_file: Path | None = None) -> Job:
    ensure_streaming_env()
    command = detector_command(
        bootstrap=servers, jdbc_url=jdbc_url(dsn), jdbc_user=dsn.split("://", 1)[1].split("@")[0],
        jdbc_password=None, checkpoint_dir=state_dir / "checkpoints", params=params,
        group_id=group_id, parallelism=parallelism, messages_topic=names["messages"],
        windows_topic=names["windows"], dead_letters_topic=names["dead_letters"],
        checkpoint_interval_ms=checkpoint_interval_ms, restore="latest", params_file=params_file,
    ) + (extra or [])
    state_dir.mkdir(parents=True, exist_ok=True)
    log = state_dir / "job.log"
    with log.open("ab") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    return Job(process, log)


def detections_in_postgres(dsn: str, broadcaster_id: str | None = None) -> list[Detection]:
    query = """
        select broadcaster_id, (extract(epoch from window_start) * 1000)::bigint,
               (extract(epoch from window_end) * 1000)::bigint, message_count, chatter_count,
               baseline_mean, baseline_std, threshold
        from clips where status = 'pending'
    """
    args: list[Any] = []
    if broadcaster_id is not None:
        query += " and broadcaster_id = %s"
        args.append(broadcaster_id)
    with connect(dsn) as conn:
        rows = conn.execute(query + " order by broadcaster_id, window_end", args).fetchall()
    return [Detection(*row) for row in rows]


def wait_for(condition: Callable[[], bool], *, timeout: float, job: Job | None = None,
             interval: float = 1.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        if job is not None and not job.alive():
            raise RuntimeError(f"the detector job died:\n{job.log_tail()}")
        time.sleep(interval)
    return condition()
