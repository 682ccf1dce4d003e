"""The `imports` table: one row per chat file imported, and whether a content was published.

Rows imported straight into the lake say by themselves which file they came from (their
`import_digest` and the tables' application transactions, ingest/chat_import.py). A file sent to
Kafka goes through the archiver, which cannot tell it from live chat; this table is how a second
`import --to kafka` of the same content knows it was sent already.
"""

import time

import pyarrow as pa

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


def record_import(store: LakeStore, *, digest: str, file_name: str, destination: str,
                  messages: int, bad_lines: int) -> None:
    row = {"import_digest": digest, "file_name": file_name, "destination": destination,
           "messages": messages, "bad_lines": bad_lines,
           "imported_at": int(time.time() * 1000)}
    store.append(TABLE, pa.Table.from_pylist([row], schema=SCHEMA), partition_by=None,
                 transactions={content_app_id(digest, destination): 1})
