"""The stream monitor as a long-running loop (`chatlake monitor run`, the demo); Dagster's
schedule runs the same `monitor_cycle` once per tick instead."""

import asyncio
import contextlib
import logging

from ingest.monitor import metrics
from ingest.monitor.cycle import MonitorConfig, kafka_publisher, monitor_cycle, shard_check
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
            await _wait_checking_shards(dsn, config, interval, stop)


async def _wait_checking_shards(dsn: str, config: MonitorConfig, interval: float,
                                stop: asyncio.Event) -> None:
    """Wait `interval` s; every `config.shard_check_s` of it, move the channels of shards that
    died since (docs/scale.md: a dead shard's channels move without waiting for a poll)."""
    deadline = asyncio.get_running_loop().time() + interval
    step = config.shard_check_s if config.shard_check_s > 0 else interval
    while not stop.is_set():
        left = deadline - asyncio.get_running_loop().time()
        if left <= 0:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), min(step, left))
        if stop.is_set() or left <= step:
            return
        try:
            assignment = await shard_check(dsn, config)
        except Exception as error:  # PostgreSQL: the next check or cycle tries again
            log.warning("shard check failed: %s: %s", type(error).__name__, error)
            continue
        if assignment is not None and assignment.moves:
            log.info("monitor: moved %d channels between ingest shards between polls: %s",
                     len(assignment.moves), "; ".join(
                         f"{m.broadcaster_id} {m.from_shard or '-'} -> {m.to_shard or '-'}"
                         f" ({m.reason})" for m in assignment.moves[:10]))
