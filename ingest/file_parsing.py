"""A chat file parsed for the lake: its report, its rows in the tables' shape, its content hash.

What import workers run: this module loads the parsers and pyarrow only (no delta-rs, no
settings), so a worker process starts in a quarter of a second.
"""

import hashlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
from chatlake_contracts.deadletter import dead_letter

from ingest.importers import BadLine, ImportFileError, ImportOptions, read_chat_file
from ingest.importers.source_file import gc_paused
from warehouse.imported_file import ImportedFile
from warehouse.lake import table_from_records, to_lake_table
from warehouse.lake_schema import CHAT_MESSAGES, DEAD_LETTERS, Dataset

LAKE_CHUNK_MESSAGES = 100_000

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


def dead_letter_record(bad: BadLine) -> dict[str, Any]:
    return dead_letter(origin="import", error=bad.error, raw=bad.raw,
                       timestamp=int(time.time() * 1000), location=bad.location)


def records_of(items: Iterator[dict[str, Any] | BadLine],
               report: FileReport) -> Iterator[dict[str, Any]]:
    for item in items:
        if isinstance(item, BadLine):
            report.bad_lines.append(item)
        else:
            report.messages += 1
            yield item


def parse_for_lake(path: Path, options: ImportOptions,
                   progress: Progress = lambda n: None) -> tuple[FileReport, ImportedFile]:
    # The whole import holds hundreds of thousands of records that die together at its end:
    # cyclic GC passes over them find nothing to free and cost up to half the time (measured).
    with gc_paused():
        report = FileReport(path)
        records = list(records_of(read_chat_file(path, options), report))
        digest = file_digest(path)
        dead = [dead_letter_record(bad) for bad in report.bad_lines]
        return report, ImportedFile(
            path, digest, _lake_rows(records, CHAT_MESSAGES, digest, progress),
            _lake_rows(dead, DEAD_LETTERS, digest, lambda n: None))


def _lake_rows(records: list[dict[str, Any]], dataset: Dataset, digest: str,
               progress: Progress) -> pa.Table:
    # Converted a chunk at a time, so that progress moves while a big file is converted.
    batches = []
    for index in range(0, len(records), LAKE_CHUNK_MESSAGES):
        chunk = records[index:index + LAKE_CHUNK_MESSAGES]
        batches.extend(to_lake_table(table_from_records(chunk, dataset), dataset,
                                     import_digest=digest).to_batches())
        progress(len(chunk))
    return pa.Table.from_batches(batches, dataset.read_schema)


def parse_file_for_lake(path: Path,
                        options: ImportOptions) -> tuple[FileReport, ImportedFile] | str:
    try:
        return parse_for_lake(path, options)
    except ImportFileError as error:
        return str(error)  # the message, not the exception: it crosses a process boundary
