"""`chatlake monitor once|run`: the stream monitor outside Dagster.

The Dagster schedule `stream_monitor_schedule` (orchestration/) is the production path; these
run the same `monitor_cycle` by hand (`once`) or in a loop with a /metrics endpoint (`run`).
"""

import asyncio
import contextlib
import logging
import signal
from typing import Annotated

import typer

from chatlake.settings import Settings
from ingest import metrics
from ingest.helix import HelixClient, HelixEndpoint
from ingest.monitor import CycleReport, MonitorConfig, monitor_cycle, run_monitor_cycle
from ingest.monitor.cycle import kafka_publisher
from ingest.tokens import TokenFileError

log = logging.getLogger(__name__)
monitor_app = typer.Typer(help="The stream monitor (top live streams -> stream-lifecycle).",
                          no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(monitor_app, name="monitor")


@monitor_app.command("once")
def once() -> None:
    """Run one monitor cycle and print who is followed and why."""
    settings = Settings()
    endpoint = _endpoint(settings)
    report = asyncio.run(run_monitor_cycle(endpoint, settings.postgres_url,
                                           settings.kafka_servers,
                                           MonitorConfig.from_settings(settings)))
    typer.echo(describe(report))


@monitor_app.command("run")
def run(
    interval: Annotated[float | None, typer.Option(
        help="Seconds between cycles (default CHATLAKE_MONITOR_INTERVAL_S).")] = None,
) -> None:
    """Run a cycle every interval until SIGINT/SIGTERM, serving /metrics."""
    settings = Settings()
    endpoint = _endpoint(settings)
    server = metrics.serve(settings.metrics_host, settings.metrics_monitor_port)
    try:
        asyncio.run(_loop(endpoint, settings, interval or settings.monitor_interval_s))
    finally:
        server.close()


async def _loop(endpoint: HelixEndpoint, settings: Settings, interval: float) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await monitor_loop(endpoint, settings.postgres_url, settings.kafka_servers,
                       MonitorConfig.from_settings(settings), interval, stop)


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
            except Exception as error:  # Helix, Kafka, PostgreSQL: keep polling next time
                metrics.monitor_cycle_failed()
                log.warning("monitor cycle failed: %s: %s", type(error).__name__, error)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval)


def describe(report: CycleReport) -> str:
    lines = [f"monitor: {report.summary()}"]
    lines += [f"  joined {t.login} ({t.broadcaster_id}): {t.reason}" for t in report.joins]
    lines += [f"  left   {t.login} ({t.broadcaster_id}): {t.reason}" for t in report.leaves]
    lines += [f"  following {f.login} ({f.broadcaster_id}) rank {f.rank or '-'} since "
              f"{f.since:%Y-%m-%d %H:%M:%S %Z}: {f.join_reason}" for f in report.followed]
    return "\n".join(lines)


def _endpoint(settings: Settings) -> HelixEndpoint:
    try:
        return HelixEndpoint.from_settings(settings)
    except TokenFileError as error:
        typer.echo(f"monitor cannot run: {error}", err=True)
        raise typer.Exit(2) from None
