"""A lake in which one user (and one channel) appear in several channels, files and days, and
the searches that prove them gone: every table's string columns and every Parquet file on disk."""

import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from chatlake_contracts.chat import chat_message

from tests.warehouse.test_migrations import fresh_database
from warehouse.lake import table_from_records, to_lake_table
from warehouse.lake_schema import CHAT_MESSAGES, DEAD_LETTERS, STREAM_LIFECYCLE
from warehouse.lake_store import LakeStore
from warehouse.postgres import apply_migrations

DAY_MS = 86_400_000
BASE_MS = 1_551_546_262_000  # 2019-03-02 17:04:22 UTC
ERASED_ID, ERASED_LOGIN = "70717273", "zq_erased_viewer"
CHANNELS = [("1001", "alpha_ch"), ("1002", "beta_ch"), ("1003", "gamma_ch")]


def messages_of_file(file_no: int, count: int = 120) -> list[dict]:
    """One "file": a day of chat in every channel; every 7th message is the erased user's."""
    records = []
    for i in range(count):
        channel_id, channel_login = CHANNELS[i % len(CHANNELS)]
        erased = i % 7 == 3
        user_id, login = (ERASED_ID, ERASED_LOGIN) if erased else (str(500 + i % 11),
                                                                    f"viewer{i % 11}")
        records.append(chat_message(
            message_id=f"f{file_no}m{i}", broadcaster_id=channel_id,
            broadcaster_login=channel_login, timestamp=BASE_MS + file_no * DAY_MS + i * 1000,
            text=f"hello {i} Kappa", source="synthetic", user_id=user_id, user_name=login,
            user_display_name=login.upper(), emotes=[{"emote_id": "25", "begin": len(
                f"hello {i} "), "end": len(f"hello {i} Kappa")}]))
    return records


def fill_lake(store: LakeStore, files: int = 3) -> None:
    """`files` commits of chat (one a day), lifecycle events, and dead letters, one of them
    the erased user's raw record."""
    for n in range(files):
        store.append(CHAT_MESSAGES.name, to_lake_table(
            table_from_records(messages_of_file(n), CHAT_MESSAGES), CHAT_MESSAGES))
    events = [{"v": 1, "event_type": "online", "broadcaster_id": cid, "broadcaster_login": lg,
               "rank": 1, "timestamp": BASE_MS - 60_000, "reason": "entered"}
              for cid, lg in CHANNELS]
    store.append(STREAM_LIFECYCLE.name, to_lake_table(
        table_from_records(events, STREAM_LIFECYCLE), STREAM_LIFECYCLE))
    letters = [{"v": 1, "origin": "archiver", "error": "bad", "location": "x@1",
                "raw": f'{{"user_id":"{ERASED_ID}","user_name":"{ERASED_LOGIN}"', "timestamp":
                BASE_MS},
               {"v": 1, "origin": "archiver", "error": "bad", "location": "x@2",
                "raw": '{"user_id":"501"', "timestamp": BASE_MS}]
    store.append(DEAD_LETTERS.name, to_lake_table(
        table_from_records(letters, DEAD_LETTERS), DEAD_LETTERS))


def string_values(table: pa.Table) -> set[str]:
    """Every string in a table, nested fields included."""
    found: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, str):
            found.add(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    for row in table.to_pylist():
        walk(row)
    return found


def mentions(values: set[str], needles: tuple[str, ...]) -> list[str]:
    return [v for v in values if any(n in v.lower() for n in needles)]


def parquet_on_disk_mentions(root: Path, needles: tuple[str, ...]) -> list[Path]:
    """Parquet files under `root`, referenced or not, whose rows or bytes hold a needle."""
    hits = []
    for path in root.rglob("*.parquet"):
        raw = path.read_bytes().lower()
        if any(n.encode() in raw for n in needles) or mentions(
                string_values(pq.read_table(path)), needles):
            hits.append(path)
    return hits


def registry_dsn(server_dsn: str, name: str) -> str:
    dsn = fresh_database(server_dsn, name)
    apply_migrations(dsn)
    return dsn


def chatlake(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "chatlake.cli", *args],
                          env={**os.environ, **env}, capture_output=True, text=True,
                          timeout=600, check=False)
