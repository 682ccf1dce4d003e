"""The `imports` table: one row per chat file imported, and whether a content was published.

Rows imported straight into the lake say by themselves which file they came from (their
`import_digest` and the tables' application transactions, ingest/chat_import.py). A file sent to
Kafka goes through the archiver, which cannot tell it from live chat; this table is how a second
`import --to kafka` of the same content knows it was sent already.
"""

import time
from dataclasses import asdict, dataclass

import pyarrow as pa
from deltalake import DeltaTable

from warehouse.lake_store import LakeStore

TABLE = "imports"
SCHEMA = pa.schema([
    ("import_digest", pa.string()),
    ("file_name", pa.string()),
    ("destination", pa.string()),
    ("messages", pa.int64()),
    ("bad_lines", pa.int64()),
    ("imported_at", pa.timestamp("ms", tz="UTC")),
])


def content_app_id(digest: str, destination: str) -> str:
    return f"import/{destination}/{digest}"


def was_published(store: LakeStore, digest: str, destination: str) -> bool:
    app_id = content_app_id(digest, destination)
    return store.transaction_versions(TABLE, [app_id]).get(app_id) == 1


@dataclass(frozen=True)
class Entry:
    digest: str
    file_name: str
    destination: str  # "lake" or "kafka"
    messages: int
    bad_lines: int


def rows(entries: list[Entry]) -> pa.Table:
    now = int(time.time() * 1000)
    return pa.Table.from_pylist([
        {**asdict(entry), "import_digest": entry.digest, "imported_at": now}
        for entry in entries], schema=SCHEMA)


def append(store: LakeStore, table: pa.Table, *, open_table: DeltaTable | None = None) -> None:
    """Log the imports in `table` (from `rows`) in one commit, each with its transaction."""
    transactions = {content_app_id(digest, destination): 1 for digest, destination in zip(
        table.column("import_digest").to_pylist(), table.column("destination").to_pylist(),
        strict=True)}
    store.append(TABLE, table, partition_by=None, transactions=transactions, table=open_table)


def record_import(store: LakeStore, *, digest: str, file_name: str, destination: str,
                  messages: int, bad_lines: int) -> None:
    append(store, rows([Entry(digest, file_name, destination, messages, bad_lines)]))
