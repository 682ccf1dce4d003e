"""Chat files -> the lake or Kafka, with dead letters for bad lines and a report per file.

Parsing is `ingest.importers`; this module only decides where records go:
- lake: Parquet files named after the source file's content hash, so importing the same file
  again replaces its files instead of doubling its messages;
- Kafka: `chat-messages` keyed by broadcaster id, as fast as possible or replayed at the pace
  the chat was sent, scaled by `speed`.
"""

import asyncio
import hashlib
import multiprocessing
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from chatlake_contracts import topics
from chatlake_contracts.deadletter import dead_letter

from ingest.importers import BadLine, ImportFileError, ImportOptions, read_chat_file
from ingest.importers.source_file import gc_paused
from warehouse.lake import table_from_records, to_lake_table, write_partitioned
from warehouse.lake_schema import CHAT_MESSAGES, DEAD_LETTERS
from warehouse.lake_store import LakeStore

LAKE_CHUNK_MESSAGES = 100_000
# How many sends may be in flight before waiting for the broker's acknowledgements.
KAFKA_WINDOW = 20_000

Progress = Callable[[int], None]


@dataclass
class FileReport:
    path: Path
    messages: int = 0
    bad_lines: list[BadLine] = field(default_factory=list)


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()[:16]


def _dead_letter(bad: BadLine) -> dict[str, Any]:
    return dead_letter(origin="import", error=bad.error, raw=bad.raw,
                       timestamp=int(time.time() * 1000), location=bad.location)


def import_to_lake(path: Path, options: ImportOptions, store: LakeStore,
                   progress: Progress = lambda n: None) -> FileReport:
    """Parse one file into the lake. Raises ImportFileError before writing anything when the
    file is unreadable, so a bad file never leaves part of itself behind."""
    # The whole import holds hundreds of thousands of records that die together at its end:
    # cyclic GC passes over them find nothing to free and cost up to half the time (measured).
    with gc_paused():
        return _import_to_lake(path, options, store, progress)


def _import_to_lake(path: Path, options: ImportOptions, store: LakeStore,
                    progress: Progress) -> FileReport:
    report = FileReport(path)
    records = list(_records(read_chat_file(path, options), report))
    stem = f"import+{file_digest(path)}"
    # Files of an earlier import of this same file (which may have had more chunks) go first.
    for relative in store.list(CHAT_MESSAGES.name) + store.list(DEAD_LETTERS.name):
        if relative.rsplit("/", 1)[-1].startswith(stem + "+"):
            store.delete(relative)
    for index in range(0, len(records), LAKE_CHUNK_MESSAGES):
        chunk = records[index:index + LAKE_CHUNK_MESSAGES]
        table = to_lake_table(table_from_records(chunk, CHAT_MESSAGES), CHAT_MESSAGES)
        write_partitioned(store, CHAT_MESSAGES, table, f"{stem}+{index // LAKE_CHUNK_MESSAGES:06d}")
        progress(len(chunk))
    if report.bad_lines:
        dead = [_dead_letter(bad) for bad in report.bad_lines]
        table = to_lake_table(table_from_records(dead, DEAD_LETTERS), DEAD_LETTERS)
        write_partitioned(store, DEAD_LETTERS, table, f"{stem}+dead")
    return report


def import_files_to_lake(paths: Sequence[Path], options: ImportOptions, lake: str,
                         jobs: int) -> Iterator[FileReport | str]:
    """Import files into the lake `jobs` at a time, one worker process each (parsing is
    CPU-bound Python, so threads would not help). Yields, as each file finishes, its report
    or, for a file that cannot be imported, the one-line message saying why.

    Workers are spawned, not forked: forking a process that runs threads can hang."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=max(1, min(jobs, len(paths))),
                             mp_context=context) as pool:
        # Largest first: a big file started last would leave the other workers idle at the end.
        futures = [pool.submit(_import_file_to_lake, path, options, lake)
                   for path in sorted(paths, key=_size, reverse=True)]
        for future in as_completed(futures):
            yield future.result()


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # reported by the worker, with the reason


def _import_file_to_lake(path: Path, options: ImportOptions, lake: str) -> FileReport | str:
    try:
        return import_to_lake(path, options, LakeStore(lake))
    except ImportFileError as error:
        return str(error)  # the message, not the exception: it crosses a process boundary


def _records(items: Iterator[dict[str, Any] | BadLine],
             report: FileReport) -> Iterator[dict[str, Any]]:
    for item in items:
        if isinstance(item, BadLine):
            report.bad_lines.append(item)
        else:
            report.messages += 1
            yield item


async def import_to_kafka(path: Path, options: ImportOptions, bootstrap_servers: str,
                          speed: float | None = None,
                          progress: Progress = lambda n: None) -> FileReport:
    """Publish one file to `chat-messages` (bad lines to the dead-letter topic).

    With `speed`, messages are sent at the pace they were sent in the chat, `speed` times faster.
    """
    # Imported here: the lake path (and its worker processes) never needs a Kafka client.
    from core.kafka import chat_producer

    report = FileReport(path)
    # Parse the whole file first: a truncated file fails before anything is published.
    with gc_paused():
        records = list(_records(read_chat_file(path, options), report))
    pacer = _Pacer(speed) if speed else None
    async with chat_producer(bootstrap_servers) as producer:
        in_flight: list[asyncio.Future] = []

        async def settle() -> None:
            await asyncio.gather(*in_flight)
            progress(len(in_flight))
            in_flight.clear()

        for record in records:
            if pacer and pacer.delay_until(record["timestamp"]) > 0:
                # While waiting for chat time to catch up, make sure what was sent arrived.
                await settle()
                await asyncio.sleep(pacer.delay_until(record["timestamp"]))
            in_flight.append(await producer.send(
                topics.CHAT_MESSAGES, orjson.dumps(record),
                key=record["broadcaster_id"].encode()))
            if len(in_flight) >= KAFKA_WINDOW:
                await settle()
        for bad in report.bad_lines:
            in_flight.append(await producer.send(
                topics.DEAD_LETTERS, orjson.dumps(_dead_letter(bad))))
        await asyncio.gather(*in_flight)
        progress(len(in_flight) - len(report.bad_lines))
    return report


class _Pacer:
    """Sleeps so that chat time advances `speed` times faster than wall time."""

    def __init__(self, speed: float) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = speed
        self._chat_start: int | None = None
        self._wall_start = 0.0

    def delay_until(self, timestamp_ms: int) -> float:
        """Seconds to wait before sending a message sent at `timestamp_ms` (<= 0: send now)."""
        if self._chat_start is None:
            self._chat_start, self._wall_start = timestamp_ms, time.monotonic()
        due = self._wall_start + (timestamp_ms - self._chat_start) / 1000 / self.speed
        return due - time.monotonic()
