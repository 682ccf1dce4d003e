"""Lake throughput: import -> lake, import -> Kafka, and the Kafka -> lake archiver, each printed
beside raw aiokafka produce/consume of the same messages measured in the same run.

    uv run python bench/bench_lake.py [--messages 1000000] [--file CHAT_FILE]

The import benchmarks use a real chat file (default: the lirik VOD from ../shared/data, the
heaviest JSON there: 64 MB for 72k comments) when present, else a synthetic TwitchDownloader
file; and, when ../shared/data is there, every chat file in it at once (518k messages in 67
files, one worker process per core, as `chatlake import` does). The archiver benchmark
pre-produces `--messages` synthetic records, then times a fresh consumer group from its first
record to the last table commit (the group join, ~5 s on Tansu, is reported separately).
"""

import argparse
import asyncio
import gc
import gzip
import json
import os
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import orjson
from aiokafka import AIOKafkaConsumer
from chatlake_contracts import topics

from ingest.chat_import import import_files_to_lake, import_to_kafka, import_to_lake
from ingest.importers import ImportOptions
from tests.support import private_broker, shared_data_dir
from tests.warehouse.support import encoded, produce, synthetic_message
from warehouse.archiver import Archiver, ArchiverConfig, relax_gc_for_batches
from warehouse.lake_store import LakeStore

SHARED_DATA = shared_data_dir()
DEFAULT_FILE = SHARED_DATA / "vod" / "lirik" / "lirik_389178879.chat.json.gz"


def shared_chat_files() -> list[Path]:
    return [
        *sorted((SHARED_DATA / "highlights" / "dota2").glob("*.chat.json.gz")),
        *sorted((SHARED_DATA / "vod").glob("*/*.chat.json.gz")),
        *sorted((SHARED_DATA / "multi").glob("*/VoD_*.txt.gz")),
        *sorted((SHARED_DATA / "irc").glob("*.irc*")),
    ]


def import_everything(lake: Path) -> tuple[int, float]:
    """(messages, seconds) importing every shared chat file into a fresh lake, in parallel."""
    # Offsets-only files (the Dota 2 set) need a start and a channel.
    options = ImportOptions(channel="bench", start=datetime(2019, 1, 1, tzinfo=UTC))
    started = time.perf_counter()
    outcomes = list(import_files_to_lake(shared_chat_files(), options, LakeStore(str(lake)),
                                         os.cpu_count() or 1))
    seconds = time.perf_counter() - started
    failures = [o for o in outcomes if isinstance(o, str)]
    if failures:
        raise SystemExit(f"import failed: {failures[0]}")
    return sum(o.messages for o in outcomes), seconds


def synthetic_chat_file(folder: Path, messages: int) -> Path:
    comments = [{
        "_id": f"c{i}", "created_at": None, "content_offset_seconds": i / 20,
        "commenter": {"_id": str(i % 5000), "name": f"user{i % 5000}",
                      "display_name": f"User{i % 5000}"},
        "message": {"body": f"message {i} Kappa", "fragments": [
            {"text": f"message {i} "}, {"text": "Kappa", "emoticon": {"emoticon_id": "25"}}]},
    } for i in range(messages)]
    root = {"streamer": {"name": "Bench", "login": "bench", "id": 1},
            "video": {"id": "1", "title": "bench", "created_at": "2024-01-01T00:00:00Z",
                      "start": 0, "end": messages // 20, "length": messages // 20},
            "comments": comments}
    path = folder / "synthetic.chat.json.gz"
    path.write_bytes(gzip.compress(json.dumps(root).encode()))
    return path


def json_parse_rate(path: Path, messages: int) -> float:
    """messages/s of only reading the file: gunzip and orjson.loads, the floor of an import."""
    started = time.perf_counter()
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    orjson.loads(data) if path.name.endswith((".json", ".json.gz")) else data.splitlines()
    return rate(messages, time.perf_counter() - started)


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


async def raw_consume(servers: str, expected: int) -> float:
    consumer = AIOKafkaConsumer(topics.CHAT_MESSAGES, bootstrap_servers=servers,
                                auto_offset_reset="earliest", fetch_max_bytes=64 << 20,
                                max_partition_fetch_bytes=16 << 20)
    await consumer.start()
    try:
        seen, started = 0, None
        while seen < expected:
            batches = await consumer.getmany(timeout_ms=500, max_records=50_000)
            if started is None and batches:
                started = time.perf_counter()
            seen += sum(len(records) for records in batches.values())
        return rate(expected, time.perf_counter() - started)
    finally:
        await consumer.stop()


async def archive(servers: str, lake: Path, expected: int) -> tuple[float, float]:
    """(messages/s from the first archived batch's read to the last commit, join seconds)."""
    # A fresh group each call: a second measurement in one run must not resume the first's.
    config = ArchiverConfig(servers, group_id=f"bench-archiver-{time.monotonic_ns()}")
    archiver = Archiver(config, LakeStore(str(lake)))
    stop = asyncio.Event()
    started = time.perf_counter()
    task = asyncio.create_task(archiver.run(stop))
    while archiver._pending_count == 0 and archiver.archived == 0:
        await asyncio.sleep(0.01)
    joined = time.perf_counter()
    while archiver.archived < expected:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    finished = time.perf_counter()
    stop.set()
    await task
    return rate(expected, finished - joined), joined - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="chatlake-bench-"))
    try:
        chat_file = args.file if args.file.exists() else synthetic_chat_file(work, 100_000)
        options = ImportOptions(channel="bench")

        with private_broker() as servers:
            records = [synthetic_message(i, channels=13) for i in range(args.messages)]
            started = time.perf_counter()
            produce(servers, topics.CHAT_MESSAGES, encoded(records))
            produce_rate = rate(args.messages, time.perf_counter() - started)
            consume_rate = asyncio.run(raw_consume(servers, args.messages))
            thresholds = gc.get_threshold()
            relax_gc_for_batches()  # as `chatlake archive` does
            archive_rate, join_seconds = asyncio.run(
                archive(servers, work / "archived", args.messages))
            gc.set_threshold(*thresholds)

        started = time.perf_counter()
        report = import_to_lake(chat_file, options, LakeStore(str(work / "imported")))
        import_lake_rate = rate(report.messages, time.perf_counter() - started)
        parse_rate = json_parse_rate(chat_file, report.messages)
        everything = import_everything(work / "everything") if SHARED_DATA.is_dir() else None

        with private_broker() as servers:
            started = time.perf_counter()
            report = asyncio.run(import_to_kafka(chat_file, options, servers))
            import_kafka_rate = rate(report.messages, time.perf_counter() - started)

        size = len(orjson.dumps(records[0]))
        print(f"messages: {args.messages} synthetic (~{size} B JSON); import file: "
              f"{chat_file.name} ({report.messages} messages)")
        print(f"raw aiokafka produce          {produce_rate:>10,.0f} msg/s")
        print(f"raw aiokafka consume          {consume_rate:>10,.0f} msg/s")
        print(f"gunzip + JSON parse only      {parse_rate:>10,.0f} msg/s")
        print(f"import -> lake (one file)     {import_lake_rate:>10,.0f} msg/s  "
              f"{import_lake_rate / parse_rate:.2f} x JSON parse, "
              f"{import_lake_rate / consume_rate:.2f} x raw consume")
        if everything:
            all_rate = rate(*everything)
            print(f"import -> lake (all shared)   {all_rate:>10,.0f} msg/s  "
                  f"{all_rate / consume_rate:.2f} x raw consume "
                  f"({everything[0]} messages, {os.cpu_count()} processes)")
        print(f"import -> kafka               {import_kafka_rate:>10,.0f} msg/s  "
              f"{import_kafka_rate / produce_rate:.2f} x raw produce")
        print(f"kafka -> lake (archiver)      {archive_rate:>10,.0f} msg/s  "
              f"{archive_rate / consume_rate:.2f} x raw consume "
              f"(group join {join_seconds:.1f} s not included)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
