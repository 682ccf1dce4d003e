"""Chat files -> the lake or Kafka, with dead letters for bad lines and a report per file.

Parsing is `ingest.importers`; this module only decides where records go:
- lake: one Delta commit per table. Rows carry the file's content hash (`import_digest`) and
  the commit records two application transactions: `import/<digest>` (1: these rows are in the
  table, 0: they were replaced) and `import-path/<hash of the file's path>` (the digest now
  imported from that path). Importing the same content again writes nothing; importing a file
  whose content changed replaces its earlier rows in the same commit that adds the new ones.
- Kafka: `chat-messages` keyed by broadcaster id, as fast as possible or replayed at the pace
  the chat was sent, scaled by `speed`. The `imports` table remembers what was published, so
  the same content is not sent (and archived) twice unless asked.
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
import pyarrow as pa
from chatlake_contracts import topics
from chatlake_contracts.deadletter import dead_letter

from ingest.importers import BadLine, ImportFileError, ImportOptions, read_chat_file
from ingest.importers.source_file import gc_paused
from warehouse.import_log import record_import, was_published
from warehouse.lake import table_from_records, to_lake_table
from warehouse.lake_schema import CHAT_MESSAGES, DEAD_LETTERS, Dataset
from warehouse.lake_store import LakeStore, sql_string

LAKE_CHUNK_MESSAGES = 100_000
# How many sends may be in flight before waiting for the broker's acknowledgements.
KAFKA_WINDOW = 20_000

Progress = Callable[[int], None]


@dataclass
class FileReport:
    path: Path
    messages: int = 0
    bad_lines: list[BadLine] = field(default_factory=list)
    # Set when the file's content was imported (or published) before: nothing was written.
    already_imported: bool = False


def file_digest(path: Path) -> str:
    """The content hash: 15 hex digits, so it is also a Delta transaction version (an i64)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()[:15]


def _content_app(digest: str) -> str:
    return f"import/{digest}"


def _path_app(path: Path) -> str:
    return "import-path/" + hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]


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
    digest = file_digest(path)
    if was_published(store, digest, "kafka"):
        # Its messages reach the lake through the archiver, without a digest to replace by.
        report.already_imported = True
        return report
    dead = [_dead_letter(bad) for bad in report.bad_lines]
    # Dead letters first: chat_messages' commit is the one that says the file is in.
    _write_import(store, DEAD_LETTERS, dead, path, digest, lambda n: None)
    report.already_imported = not _write_import(store, CHAT_MESSAGES, records, path, digest,
                                                progress)
    if not report.already_imported:
        record_import(store, digest=digest, file_name=path.name, destination="lake",
                      messages=report.messages, bad_lines=len(report.bad_lines))
    return report


def _write_import(store: LakeStore, dataset: Dataset, records: list[dict[str, Any]],
                  path: Path, digest: str, progress: Progress) -> bool:
    """One commit adding `records` to `dataset`, replacing the rows an earlier content of the
    same path left there; False (and nothing written) when this content is already in."""
    content, source = _content_app(digest), _path_app(path)
    state = store.transaction_versions(dataset.name, [content, source])
    if state.get(content) == 1:
        return False
    previous = f"{state[source]:015x}" if source in state else None
    if previous == digest:
        previous = None  # this content was replaced by another path's: add it back
    if not records and previous is None:
        return True
    transactions = {content: 1, source: int(digest, 16)}
    if previous is not None:
        transactions[_content_app(previous)] = 0
    batches = pa.RecordBatchReader.from_batches(
        dataset.read_schema, _lake_batches(records, dataset, digest, progress))
    if previous is None:
        store.append(dataset.name, batches, transactions=transactions)
    else:
        # Delta's replace-where requires the new rows to match the predicate too.
        store.replace(dataset.name, batches,
                      f"import_digest in ({sql_string(previous)}, {sql_string(digest)})",
                      transactions=transactions)
    return True


def _lake_batches(records: list[dict[str, Any]], dataset: Dataset, digest: str,
                  progress: Progress) -> Iterator[pa.RecordBatch]:
    # Converted a chunk at a time: the Arrow copy of a whole big file at once is not needed.
    for index in range(0, len(records), LAKE_CHUNK_MESSAGES):
        chunk = records[index:index + LAKE_CHUNK_MESSAGES]
        yield from to_lake_table(table_from_records(chunk, dataset), dataset,
                                 import_digest=digest).to_batches()
        progress(len(chunk))


def import_files_to_lake(paths: Sequence[Path], options: ImportOptions, lake: LakeStore,
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


def _import_file_to_lake(path: Path, options: ImportOptions,
                         lake: LakeStore) -> FileReport | str:
    try:
        return import_to_lake(path, options, lake)
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
                          progress: Progress = lambda n: None, *,
                          lake: LakeStore | None = None, again: bool = False) -> FileReport:
    """Publish one file to `chat-messages` (bad lines to the dead-letter topic).

    With `speed`, messages are sent at the pace they were sent in the chat, `speed` times faster.
    With `lake`, a content already published (or imported into that lake) is skipped unless
    `again`, and what was published is recorded there.
    """
    # Imported here: the lake path (and its worker processes) never needs a Kafka client.
    from core.kafka import chat_producer

    report = FileReport(path)
    # Parse the whole file first: a truncated file fails before anything is published.
    with gc_paused():
        records = list(_records(read_chat_file(path, options), report))
    digest = file_digest(path)
    if lake is not None and not again and _already_in(lake, digest):
        report.already_imported = True
        return report
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
    if lake is not None:
        record_import(lake, digest=digest, file_name=path.name, destination="kafka",
                      messages=report.messages, bad_lines=len(report.bad_lines))
    return report


def _already_in(lake: LakeStore, digest: str) -> bool:
    """Published to Kafka before, or imported straight into the lake."""
    content = _content_app(digest)
    return was_published(lake, digest, "kafka") or \
        lake.transaction_versions(CHAT_MESSAGES.name, [content]).get(content) == 1


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
