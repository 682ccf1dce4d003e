"""The stream monitor as a long-running loop (`chatlake monitor run`, the demo); Dagster's
schedule runs the same `monitor_cycle` once per tick instead."""

import asyncio
import contextlib
import logging

from ingest.monitor import metrics
from ingest.monitor.cycle import MonitorConfig, kafka_publisher, monitor_cycle
from twitch.helix import HelixClient, HelixEndpoint

log = logging.getLogger(__name__)


async def monitor_loop(endpoint: HelixEndpoint, dsn: str, bootstrap_servers: str,
                       config: MonitorConfig, interval: float, stop: asyncio.Event) -> None:
    """Cycles every `interval` s until `stop`; a failed cycle is logged and retried next time."""
    async with HelixClient(endpoint) as helix, kafka_publisher(bootstrap_servers) as publish:
        while not stop.is_set():
            try:
                report = await monitor_cycle(helix, dsn, publish, config)
                changed = report.joins or report.leaves
                log.log(logging.INFO if changed else logging.DEBUG, "monitor: %s",
                        report.summary())
                for transition in report.joins + report.leaves:
                    log.info("monitor: %s %s: %s", transition.event_type, transition.login,
                             transition.reason)
                if report.shards is not None and (report.shards.moves
                                                  or report.shards.unassigned):
                    log.info("monitor: ingest shards: %s", report.shard_summary())
                if report.shards is not None and report.shards.unassigned:
                    log.warning("monitor: %d followed channels have no ingest shard: the "
                                "live shards hold %d", len(report.shards.unassigned),
                                report.shards.capacity)
            except Exception as error:  # Helix, Kafka, PostgreSQL: keep polling next time
                metrics.cycle_failed()
                log.warning("monitor cycle failed: %s: %s", type(error).__name__, error)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval)
