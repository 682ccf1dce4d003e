"""Chat files -> the lake or Kafka, with dead letters for bad lines and a report per file.

Parsing is `ingest.importers`; this module only decides where records go:
- lake: the file's rows carry its content hash (`import_digest`) and are committed with two
  application transactions: `import/<digest>` (1: these rows are in the table, 0: they were
  replaced) and `import-path/<hash of the file's path>` (the digest now imported from that
  path). Importing the same content again writes nothing; importing a file whose content
  changed replaces its earlier rows in the same commit that adds the new ones. The commits are
  warehouse/import_commit.py's; many files at once are parsed in worker processes and
  committed several together.
- Kafka: `chat-messages` keyed by broadcaster id, as fast as possible or replayed at the pace
  the chat was sent, scaled by `speed`. The `imports` table remembers what was published, so
  the same content is not sent (and archived) twice unless asked.
"""

import asyncio
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import orjson
from chatlake_contracts import topics

from ingest.file_parsing import (
    FileReport,
    Progress,
    dead_letter_record,
    file_digest,
    parse_file_for_lake,
    parse_for_lake,
    records_of,
)
from ingest.importers import ImportOptions, read_chat_file
from ingest.importers.source_file import gc_paused
from ingest.worker_processes import run_in_workers
from warehouse.import_commit import ImportedFile, ImportWriter
from warehouse.import_log import record_import, was_published
from warehouse.imported_file import content_app
from warehouse.lake_schema import CHAT_MESSAGES
from warehouse.lake_store import LakeStore
from warehouse.optouts import NO_OPTOUTS, OptOutSet

__all__ = ["FileReport", "import_files_to_lake", "import_to_kafka", "import_to_lake"]
# Small files parsed by the workers are committed together up to this many messages: each
# commit costs tens of milliseconds whatever its size (docs/lake.md, "Benchmark").
GROUP_MESSAGES = 100_000
# How many sends may be in flight before waiting for the broker's acknowledgements.
KAFKA_WINDOW = 20_000


def import_to_lake(path: Path, options: ImportOptions, store: LakeStore,
                   progress: Progress = lambda n: None,
                   optouts: OptOutSet = NO_OPTOUTS) -> FileReport:
    """Parse one file into the lake. Raises ImportFileError before writing anything when the
    file is unreadable, so a bad file never leaves part of itself behind."""
    report, imported = parse_for_lake(path, options, progress)
    report.already_imported = not ImportWriter(store, optouts).commit([imported])[0]
    return report


def import_files_to_lake(paths: Sequence[Path], options: ImportOptions, lake: LakeStore,
                         jobs: int, optouts: OptOutSet = NO_OPTOUTS
                         ) -> Iterator[FileReport | str]:
    """Import files into the lake, parsed `jobs` at a time, one worker process each (parsing
    is CPU-bound Python, so threads would not help). This process commits them, small files
    several together (up to GROUP_MESSAGES messages a commit), through tables it opens once.
    Yields, as each file is committed, its report or, for a file that cannot be imported, the
    one-line message saying why."""
    writer = ImportWriter(lake, optouts)
    group: list[tuple[FileReport, ImportedFile]] = []

    def commit_group() -> Iterator[FileReport]:
        written = writer.commit([imported for _, imported in group])
        for (report, _), was_written in zip(group, written, strict=True):
            report.already_imported = not was_written
            yield report
        group.clear()

    # Largest first: a big file started last would leave the other workers idle at the end.
    calls = [(path, options) for path in sorted(paths, key=_size, reverse=True)]
    for outcome in run_in_workers(parse_file_for_lake, calls, jobs):
        if isinstance(outcome, str):
            yield outcome
            continue
        group.append(outcome)
        if sum(imported.messages.num_rows for _, imported in group) >= GROUP_MESSAGES:
            yield from commit_group()
    if group:
        yield from commit_group()


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # reported by the worker, with the reason


async def import_to_kafka(path: Path, options: ImportOptions, bootstrap_servers: str,
                          speed: float | None = None,
                          progress: Progress = lambda n: None, *,
                          lake: LakeStore | None = None, again: bool = False,
                          optouts: OptOutSet = NO_OPTOUTS) -> FileReport:
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
        records = [record for record in records_of(read_chat_file(path, options), report)
                   if not optouts.drops_message(record)]
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
                topics.DEAD_LETTERS, orjson.dumps(dead_letter_record(bad))))
        await asyncio.gather(*in_flight)
        progress(len(in_flight) - len(report.bad_lines))
    if lake is not None:
        record_import(lake, digest=digest, file_name=path.name, destination="kafka",
                      messages=report.messages, bad_lines=len(report.bad_lines))
    return report


def _already_in(lake: LakeStore, digest: str) -> bool:
    """Published to Kafka before, or imported straight into the lake."""
    content = content_app(digest)
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
