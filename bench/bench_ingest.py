"""Ingest throughput: stand-in EventSub -> chat ingest service -> Kafka, beside raw aiokafka
produce of the same records measured in the same run.

    uv run python bench/bench_ingest.py [--messages 200000] [--channels 10] [--repeat 5]

The stand-in runs in a child process (as Twitch would be elsewhere) and gets every message
before the service subscribes: it holds them in its per-channel buffers and flushes them the
moment a subscription exists, so the service reads as fast as it can. The ingest rate is
messages / (first message received -> last record acknowledged by Kafka). The raw rate sends
as many records straight through `chat_producer`, cycling over the first SAMPLE records the
service produced (same sizes). Only a sample is kept: holding every record in the service's
process (300 k x 550 bytes) slowed the service itself by a third, which production never sees.
Prints no chat content.
"""

import argparse
import asyncio
import multiprocessing
import tempfile
import time
from pathlib import Path

from chatlake_contracts.topics import CHAT_MESSAGES

from core.kafka import chat_producer
from ingest.chat_ingest import ChatIngestService
from standin import StandInClient, TwitchStandIn
from standin.synthetic import generate as synthetic_chat
from standin.synthetic import synthetic_channels
from tests.standin.support import ingest_config, running, seeded_store
from tests.support import free_port, private_broker

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


async def ingest_run(standin: TwitchStandIn, servers: str, channels: list[str], total: int,
                     folder: Path) -> tuple[float, list[tuple[bytes, bytes]]]:
    service = ChatIngestService(ingest_config(
        standin, servers, seeded_store(standin, folder), static_channels=tuple(channels),
        follow_lifecycle=False, buffer_limit=total + 1))
    sample: list[tuple[bytes, bytes]] = []
    original_offer = service.publisher.offer

    def offer(item):
        sample.append((item.key, item.value))
        if len(sample) == SAMPLE:
            del service.publisher.offer  # back to the method: no cost for the rest
        return original_offer(item)

    service.publisher.offer = offer  # type: ignore[method-assign]
    async with running(service):
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
    parser.add_argument("--channels", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5,
                        help="Measure the pair this many times (a shared machine is noisy).")
    args = parser.parse_args()
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
        ratios = []
        for run in range(args.repeat):
            channels = fill(standin.client, args.channels, args.messages)
            with private_broker() as servers, tempfile.TemporaryDirectory() as folder:
                ingest_rate, records = asyncio.run(
                    ingest_run(standin, servers, channels, args.messages, Path(folder)))
                raw_rate = asyncio.run(raw_produce(
                    servers, [records[i % len(records)] for i in range(args.messages)]))
            size = sum(len(v) for _, v in records) / len(records)
            ratios.append(ingest_rate / raw_rate)
            print(f"run {run + 1}: {args.messages} messages over {args.channels} channels, "
                  f"~{size:.0f} bytes a record")
            print(f"  raw aiokafka produce:              {raw_rate:10,.0f} msg/s")
            print(f"  ingest (stand-in EventSub->Kafka): {ingest_rate:10,.0f} msg/s")
            print(f"  ratio ingest/raw: {ratios[-1]:.2f} (target >= 0.7)")
        if len(ratios) > 1:
            print(f"median ratio: {sorted(ratios)[len(ratios) // 2]:.2f}")
    finally:
        child.terminate()
        child.join(5)


if __name__ == "__main__":
    main()
