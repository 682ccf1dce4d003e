"""The replay driver: play chat into the stand-in at N x speed, from a file or the generator.

    events = file_events(path)                 # any file the importers read
    events = synthetic_events(channels, ...)   # or the built-in generator
    await replay(events, push=standin.push_events, speed=10)               # in process
    async with HttpPusher(base_url) as push:                               # other process
        await replay(events, push=push, speed=10)

Each message is sent when its time (relative to the first message, divided by `speed`)
comes, stamped with the wall clock of that moment, as live chat would be; pass
`keep_timestamps=True` to send the file's own times instead. Sends are grouped per 20 ms.
Lines the importer rejects are counted and skipped (a replay is not an import).
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator
from pathlib import Path

import aiohttp

from ingest.importers import BadLine, ImportOptions, read_chat_file
from standin import synthetic
from standin.chat_payload import event_from_record

log = logging.getLogger(__name__)

TICK_S = 0.02
Push = Callable[[list[tuple[dict, int | None]]], object]


def file_events(path: Path, options: ImportOptions | None = None, *,
                channel_map: dict[str, str] | None = None) -> Iterator[tuple[float, dict, int]]:
    """(seconds from the first message, event, original epoch ms) of a chat file."""
    first_ms: int | None = None
    bad = 0
    for item in read_chat_file(Path(path), options or ImportOptions()):
        if isinstance(item, BadLine):
            bad += 1
            continue
        first_ms = item["timestamp"] if first_ms is None else first_ms
        channel = (channel_map or {}).get(item["broadcaster_id"], item["broadcaster_id"])
        event = event_from_record(item, broadcaster_id=channel)
        yield (item["timestamp"] - first_ms) / 1000, event, item["timestamp"]
    if bad:
        log.warning("replay of %s skipped %d lines the importer rejected", Path(path).name, bad)


def synthetic_events(channels: list[synthetic.SyntheticChannel], duration_s: float, *,
                     seed: int = 7) -> Iterator[tuple[float, dict, int | None]]:
    for offset, event in synthetic.generate(channels, duration_s, seed=seed):
        yield offset, event, None


async def replay(events: Iterable[tuple[float, dict, int | None]], push: Push, *,
                 speed: float = 1.0, keep_timestamps: bool = False,
                 stop: asyncio.Event | None = None) -> int:
    """Send every event at its (scaled) time; returns how many were sent."""
    if speed <= 0:
        raise ValueError("speed must be positive")
    started = time.monotonic()
    batch: list[tuple[dict, int | None]] = []
    batch_due = 0.0
    sent = 0
    for offset, event, original_ms in events:
        due = offset / speed
        if batch and due - batch_due > TICK_S:
            sent += await _send(push, batch, started + batch_due)
            batch = []
        if not batch:
            batch_due = due
        batch.append((event, original_ms if keep_timestamps else None))
        if stop is not None and stop.is_set():
            return sent
    if batch:
        sent += await _send(push, batch, started + batch_due)
    return sent


async def _send(push: Push, batch: list[tuple[dict, int | None]], at: float) -> int:
    delay = at - time.monotonic()
    if delay > 0:
        await asyncio.sleep(delay)
    now_ms = int(time.time() * 1000)
    stamped = [(event, ms if ms is not None else now_ms) for event, ms in batch]
    result = push(stamped)
    if isinstance(result, Awaitable):
        await result
    return len(batch)


class HttpPusher:
    """Push batches to a stand-in in another process (`async with HttpPusher(url) as push`)."""

    def __init__(self, base_url: str) -> None:
        self.url = f"{base_url.rstrip('/')}/_standin/chat/events"
        self.session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> "HttpPusher":
        self.session = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *_: object) -> None:
        if self.session is not None:
            await self.session.close()

    async def __call__(self, batch: list[tuple[dict, int | None]]) -> None:
        assert self.session is not None, "use HttpPusher inside `async with`"
        body = {"events": [{"event": e, "timestamp_ms": ms} for e, ms in batch]}
        async with self.session.post(self.url, json=body) as response:
            response.raise_for_status()
