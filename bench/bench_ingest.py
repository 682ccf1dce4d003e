"""Ingest throughput: stand-in EventSub -> chat ingest service -> Kafka, beside raw aiokafka
produce of the same records measured in the same run.

    uv run python bench/bench_ingest.py [--messages 200000] [--channels 10] [--repeat 5]
    uv run python bench/bench_ingest.py --shard       # + one ingest shard: 95 channels
                                                      # assigned in PostgreSQL

The stand-in runs in a child process (as Twitch would be elsewhere) and gets every message
before the service subscribes: it holds them in its per-channel buffers and flushes them the
moment a subscription exists, so the service reads as fast as it can. The ingest rate is
messages / (first message received -> last record acknowledged by Kafka). The raw rate sends
as many records straight through `chat_producer`, cycling over the first SAMPLE records the
service produced (same sizes). Only a sample is kept: holding every record in the service's
process (300 k x 550 bytes) slowed the service itself by a third, which production never sees.
Prints no chat content.

`--shard` also runs, in each repeat and on the same amount of chat, the service as one ingest
shard of several (ingest/shards/): it registers in a PostgreSQL of the bench's own,
heartbeats every 0.5 s, and reads the channels written to its assignment (95 by default, one
account's full share), as `chatlake ingest --shard` does; it prints shard/raw and
shard/unsharded beside ingest/raw.
"""

import argparse
import asyncio
import contextlib
import multiprocessing
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
from chatlake_contracts.topics import CHAT_MESSAGES

from chatlake.embedded.postgres import EmbeddedPostgres
from core.kafka import chat_producer
from ingest.chat_ingest import ChatIngestService
from ingest.shards import store as shard_store
from ingest.shards.assign import assign
from standin import StandInClient, TwitchStandIn
from standin.synthetic import generate as synthetic_chat
from standin.synthetic import synthetic_channels
from tests.standin.support import ingest_config, running, seeded_store
from tests.support import free_port, private_broker, reachable_tmp_dir
from warehouse.postgres import apply_migrations

SAMPLE = 10_000


def serve_standin(port: int, buffer_limit: int) -> None:
    async def main() -> None:
        async with TwitchStandIn(port=port, chat_buffer_limit=buffer_limit):
            await asyncio.Event().wait()

    asyncio.run(main())


def fill(client: StandInClient, channels: int, messages: int) -> list[str]:
    fake = synthetic_channels(channels)
    batch: list[dict] = []
    for _, event in synthetic_chat(fake, float("inf")):
        batch.append({"event": event, "timestamp_ms": int(time.time() * 1000)})
        messages -= 1
        if len(batch) == 5000 or messages == 0:
            client._request("POST", "chat/events", {"events": batch})
            batch = []
        if messages == 0:
            break
    return [c.broadcaster_id for c in fake]


@contextlib.contextmanager
def postgres() -> Iterator[str]:
    root = reachable_tmp_dir("chatlake-bench-postgres-")
    server = EmbeddedPostgres(root=root / "postgres", port=free_port(),
                              log_path=root / "postgres.log")
    try:
        server.start()
        apply_migrations(server.dsn())
        yield server.dsn()
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


async def assign_all(dsn: str, channels: list[str]) -> None:
    """The monitor's side, reduced to writing the assignment (no Get Streams needed)."""
    async with await psycopg.AsyncConnection.connect(dsn) as conn, conn.transaction():
        shards = await shard_store.load_shards(conn, 30.0)
        await shard_store.save_assignment(conn, assign(channels, shards, {}), {}, {})


async def ingest_run(standin: TwitchStandIn, servers: str, channels: list[str], total: int,
                     folder: Path, dsn: str | None = None
                     ) -> tuple[float, list[tuple[bytes, bytes]]]:
    if dsn is None:
        config = ingest_config(standin, servers, seeded_store(standin, folder),
                               static_channels=tuple(channels), follow_lifecycle=False,
                               buffer_limit=total + 1)
    else:
        shard_store._ensured.discard(dsn)  # a fresh database each run
        config = ingest_config(standin, servers, seeded_store(standin, folder),
                               follow_lifecycle=False, buffer_limit=total + 1,
                               shard="bench-shard", postgres_dsn=dsn, heartbeat_s=0.5)
    service = ChatIngestService(config)
    sample: list[tuple[bytes, bytes]] = []
    original_offer = service.publisher.offer

    def offer(item):
        sample.append((item.key, item.value))
        if len(sample) == SAMPLE:
            del service.publisher.offer  # back to the method: no cost for the rest
        return original_offer(item)

    service.publisher.offer = offer  # type: ignore[method-assign]
    async with running(service):
        if dsn is not None:
            await assign_all(dsn, channels)
        while service.stats.counts["received"] == 0:
            await asyncio.sleep(0.001)
        started = time.perf_counter()
        while service.publisher.stats["published"] < total:
            await asyncio.sleep(0.005)
        took = time.perf_counter() - started
    return total / took, sample


async def raw_produce(servers: str, records: list[tuple[bytes, bytes]]) -> float:
    async with chat_producer(servers) as producer:
        started = time.perf_counter()
        pending = []
        for key, value in records:
            pending.append(await producer.send(CHAT_MESSAGES, value, key=key))
            if len(pending) >= 20_000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
        return len(records) / (time.perf_counter() - started)


class RemoteStandIn:
    """The attributes ingest_config/seeded_store need, for a stand-in in another process."""

    def __init__(self, base_url: str) -> None:
        self.client = StandInClient(base_url)
        info = self.client.info()
        self.__dict__.update({k: info[k] for k in (
            "base_url", "helix_url", "auth_url", "id_url", "eventsub_ws_url", "client_id",
            "client_secret", "bot_id", "bot_login")})

    def issue_user_token(self):
        data = self.client.issue_user_token()
        return type("Token", (), {**data, "scopes": tuple(data["scopes"])})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--channels", type=int, default=None,
                        help="Channels the chat is spread over (default 10; 95 with --shard).")
    parser.add_argument("--shard", action="store_true",
                        help="Run the service as an ingest shard (assignment in PostgreSQL).")
    parser.add_argument("--repeat", type=int, default=5,
                        help="Measure the pair this many times (a shared machine is noisy).")
    args = parser.parse_args()
    args.channels = args.channels or (95 if args.shard else 10)
    port = free_port()
    child = multiprocessing.get_context("spawn").Process(
        target=serve_standin, args=(port, args.messages + 1), daemon=True)
    child.start()
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                standin = RemoteStandIn(base)
                break
            except OSError:
                time.sleep(0.1)
        ratios, shard_ratios = [], []
        for run in range(args.repeat):
            with private_broker() as servers, tempfile.TemporaryDirectory() as folder, (
                    postgres() if args.shard else contextlib.nullcontext()) as dsn:
                channels = fill(standin.client, args.channels, args.messages)
                ingest_rate, records = asyncio.run(ingest_run(
                    standin, servers, channels, args.messages, Path(folder)))
                if dsn is not None:  # the same chat again, read by a shard
                    channels = fill(standin.client, args.channels, args.messages)
                    shard_rate, _ = asyncio.run(ingest_run(
                        standin, servers, channels, args.messages, Path(folder), dsn))
                raw_rate = asyncio.run(raw_produce(
                    servers, [records[i % len(records)] for i in range(args.messages)]))
            size = sum(len(v) for _, v in records) / len(records)
            ratios.append(ingest_rate / raw_rate)
            print(f"run {run + 1}: {args.messages} messages over {args.channels} channels, "
                  f"~{size:.0f} bytes a record")
            print(f"  raw aiokafka produce:              {raw_rate:10,.0f} msg/s")
            print(f"  ingest (stand-in EventSub->Kafka): {ingest_rate:10,.0f} msg/s")
            print(f"  ratio ingest/raw: {ratios[-1]:.2f} (target >= 0.7)")
            if dsn is not None:
                shard_ratios.append(shard_rate / raw_rate)
                print(f"  ingest as one shard (PostgreSQL):  {shard_rate:10,.0f} msg/s")
                print(f"  ratio shard/raw: {shard_ratios[-1]:.2f}, shard/unsharded: "
                      f"{shard_rate / ingest_rate:.2f}")
        if len(ratios) > 1:
            print(f"median ratio ingest/raw: {sorted(ratios)[len(ratios) // 2]:.2f}")
        if len(shard_ratios) > 1:
            print(f"median ratio shard/raw: {sorted(shard_ratios)[len(shard_ratios) // 2]:.2f}")
    finally:
        child.terminate()
        child.join(5)


if __name__ == "__main__":
    main()
