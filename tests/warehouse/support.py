"""Helpers for the lake tests: synthetic chat records, a private Tansu broker, producing."""

import asyncio
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import orjson
from chatlake_contracts.chat import chat_message

from core.kafka import chat_producer
from warehouse.archiver import Archiver, ArchiverConfig
from warehouse.catalog import connect
from warehouse.lake_store import LakeStore

BASE_MS = 1_551_546_262_000  # 2019-03-02 17:04:22 UTC


def synthetic_message(i: int, *, channels: int = 7) -> dict:
    text = f"hello Kappa {i}"
    return chat_message(
        message_id=f"m{i:08d}", broadcaster_id=str(1000 + i % channels),
        timestamp=BASE_MS + i * 10, text=text, source="synthetic", user_id=str(i % 997),
        user_name=f"user{i % 997}", emotes=[{"emote_id": "25", "begin": 6, "end": 11}],
    )


def produce(servers: str, topic: str, values: Iterable[tuple[bytes | None, bytes | None]]) -> int:
    """Send (key, value) pairs and wait for every acknowledgement; returns how many."""

    async def send_all() -> int:
        sent = 0
        async with chat_producer(servers) as producer:
            pending = []
            for key, value in values:
                pending.append(await producer.send(topic, value, key=key))
                if len(pending) >= 20_000:
                    await asyncio.gather(*pending)
                    sent += len(pending)
                    pending.clear()
            await asyncio.gather(*pending)
            return sent + len(pending)

    return asyncio.run(send_all())


def encoded(records: Iterable[dict]) -> Iterator[tuple[bytes, bytes]]:
    for record in records:
        yield record["broadcaster_id"].encode(), orjson.dumps(record)


def as_store(lake: LakeStore | Path | str) -> LakeStore:
    return lake if isinstance(lake, LakeStore) else LakeStore(str(lake))


def table_files(lake: LakeStore | Path | str, dataset: str) -> list[str]:
    """The data files of the table's newest version ([] before its first commit)."""
    table = as_store(lake).open(dataset)
    return sorted(table.file_uris()) if table is not None else []


def archive_until(servers, lake, expected_rows, *, timeout=120.0, group="test-archiver"):
    """Run an archiver until the lake holds `expected_rows` chat messages, then stop it."""

    async def run():
        archiver = Archiver(ArchiverConfig(servers, group_id=group, max_batch_seconds=0.5),
                            as_store(lake))
        stop = asyncio.Event()
        task = asyncio.create_task(archiver.run(stop))
        deadline = time.monotonic() + timeout
        while archiver.archived + archiver.dead_lettered < expected_rows:
            if task.done() or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.1)
        stop.set()
        await task
        return archiver

    return asyncio.run(run())


def lake_count(lake, sql):
    return connect(as_store(lake)).execute(sql).fetchone()
