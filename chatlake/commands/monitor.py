"""`chatlake monitor once|run`: the stream monitor outside Dagster.

The Dagster schedule `stream_monitor_schedule` (orchestration/) is the production path; these
run the same `monitor_cycle` by hand (`once`) or in a loop with a /metrics endpoint (`run`).
"""

import asyncio
import logging
import signal
from typing import Annotated

import typer

from core import metrics
from core.settings import Settings
from ingest.monitor import CycleReport, MonitorConfig, run_monitor_cycle
from ingest.monitor.loop import monitor_loop
from ingest.monitor.metrics import monitor_ready
from twitch.helix import HelixEndpoint
from twitch.tokens import TokenFileError

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
    report = asyncio.run(run_monitor_cycle(endpoint, settings.postgres.url,
                                           settings.kafka.servers,
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
    interval = interval or settings.monitor.interval_s
    server = metrics.serve(settings.metrics.host, settings.metrics.monitor_port,
                           ready=lambda: monitor_ready(interval))
    try:
        asyncio.run(_loop(endpoint, settings, interval))
    finally:
        server.close()


async def _loop(endpoint: HelixEndpoint, settings: Settings, interval: float) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await monitor_loop(endpoint, settings.postgres.url, settings.kafka.servers,
                       MonitorConfig.from_settings(settings), interval, stop)


def describe(report: CycleReport) -> str:
    lines = [f"monitor: {report.summary()}"]
    lines += [f"  joined {t.login} ({t.broadcaster_id}): {t.reason}" for t in report.joins]
    lines += [f"  left   {t.login} ({t.broadcaster_id}): {t.reason}" for t in report.leaves]
    lines += [f"  following {f.login} ({f.broadcaster_id}) rank {f.rank or '-'} since "
              f"{f.since:%Y-%m-%d %H:%M:%S %Z}: {f.join_reason}" for f in report.followed]
    if report.shards is not None:
        lines.append(f"ingest shards: {report.shard_summary()}")
        lines += [f"  moved {m.broadcaster_id}: {m.from_shard or '-'} -> {m.to_shard or '-'}: "
                  f"{m.reason}" for m in report.shards.moves]
    return "\n".join(lines)


def _endpoint(settings: Settings) -> HelixEndpoint:
    try:
        return HelixEndpoint.from_settings(settings)
    except TokenFileError as error:
        typer.echo(f"monitor cannot run: {error}", err=True)
        raise typer.Exit(2) from None
