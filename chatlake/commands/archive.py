"""`chatlake archive`: run the lake archiver in the foreground (`up` runs it in the background).

Beside it, on CHATLAKE_METRICS_ARCHIVER_PORT: /metrics (its counters and the consumer lag of
the chatlake groups, core.kafka_lag), /health and /health/ready.
"""

import asyncio
import logging
import signal
import time

import typer
from chatlake_contracts import topics

from core import metrics
from core.kafka_lag import LagSampler
from core.settings import Settings
from warehouse.archiver import Archiver, ArchiverConfig, relax_gc_for_batches
from warehouse.archiver_metrics import watch_archiver
from warehouse.lake_store import LakeStore
from warehouse.optouts import CachedOptOuts, registry_set

log = logging.getLogger(__name__)


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
    optouts = CachedOptOuts(lambda: registry_set(
        settings.postgres.url, embedded=settings.postgres.embedded), settings.privacy.refresh_s)
    archiver = Archiver(config, LakeStore.from_settings(settings.lake), optouts)
    watch_archiver(archiver)
    sampler = LagSampler(settings.kafka.servers, {
        settings.archiver.group_id: [d.topic for d in config.datasets],
        settings.detector.group_id: [topics.CHAT_MESSAGES]})
    interval = settings.metrics.lag_interval_s

    def ready() -> dict[str, bool]:
        # The broker answered a lag sample lately: the archiver's own Kafka is reachable.
        return {"kafka": sampler.last_ok is not None
                and time.time() - sampler.last_ok < 3 * interval + 5}

    try:
        server = metrics.serve(settings.metrics.host, settings.metrics.archiver_port, ready=ready)
    except OSError as error:
        # Archiving matters more than its endpoint; Prometheus then sees the target down
        # (ChatlakeServiceDown) and this line says why.
        log.error("archiver: no /metrics or /health on %s:%d: %s", settings.metrics.host,
                  settings.metrics.archiver_port, error)
        server = metrics.serve(settings.metrics.host, 0)
    if server.url:
        log.info("archiver metrics at %s", server.url)
    try:
        asyncio.run(_run(archiver, sampler, interval))
    finally:
        server.close()


async def _run(archiver: Archiver, sampler: LagSampler, interval: float) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    lag = asyncio.create_task(sampler.run(stop, interval_s=interval))
    try:
        await archiver.run(stop)
    finally:
        stop.set()
        await lag
