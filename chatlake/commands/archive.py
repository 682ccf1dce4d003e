"""`chatlake archive`: run the lake archiver in the foreground (`up` runs it in the background)."""

import asyncio
import signal

import typer

from core.settings import Settings
from warehouse.archiver import Archiver, ArchiverConfig, relax_gc_for_batches
from warehouse.lake_store import LakeStore


def register(app: typer.Typer) -> None:
    app.command("archive")(archive)


def archive() -> None:
    """Copy the Kafka topics into the lake's Delta tables until stopped (SIGINT/SIGTERM)."""
    settings = Settings()
    config = ArchiverConfig(
        bootstrap_servers=settings.kafka.servers,
        group_id=settings.archiver.group_id,
        max_batch_messages=settings.archiver.max_batch_messages,
        max_batch_seconds=settings.archiver.max_batch_seconds,
    )
    relax_gc_for_batches()
    asyncio.run(_run(Archiver(config, LakeStore.from_settings(settings.lake))))


async def _run(archiver: Archiver) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await archiver.run(stop)
