"""`chatlake ingest`: the chat ingest service in the foreground (EventSub chat -> Kafka)."""

import asyncio
import signal
from pathlib import Path

import typer

from core import metrics
from core.settings import Settings
from ingest.chat_ingest import ChatIngestService, IngestConfig, IngestStartupError
from ingest.chat_ingest.metrics import watch_ingest
from twitch.tokens import TokenFileError, TokenStore
from warehouse.optouts import CachedOptOuts, registry_set


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest)


def ingest(
    channel: list[str] = typer.Option(  # noqa: B008 - typer's way
        [], "--channel", help="Also read this channel (broadcaster id); repeatable."),
    no_lifecycle: bool = typer.Option(
        False, "--no-lifecycle", help="Do not follow stream-lifecycle; read --channel only."),
    shard: str | None = typer.Option(
        None, "--shard", help="Run as this ingest shard (one per Twitch account): read the "
        "channels the monitor assigns to it in PostgreSQL (CHATLAKE_INGEST_SHARD)."),
    token_file: Path | None = typer.Option(  # noqa: B008 - typer's way
        None, "--token-file", help="This account's token file (default "
        "CHATLAKE_TWITCH_TOKEN_FILE); seed it with `chatlake auth seed`."),
) -> None:
    """Read the chat of the online (or assigned) channels into Kafka until SIGINT/SIGTERM."""
    settings = Settings()
    if shard:
        settings.ingest.shard = shard
    if token_file:
        settings.twitch.token_file = token_file
    try:
        config = IngestConfig.from_settings(settings)
    except TokenFileError as error:
        raise typer.BadParameter(str(error)) from None
    config = IngestConfig(**{**config.__dict__,
                             "static_channels": config.static_channels + tuple(channel),
                             "follow_lifecycle": not no_lifecycle,
                             "token_store": TokenStore(settings.twitch.token_file)})
    service = ChatIngestService(config)
    service.optouts = CachedOptOuts(lambda: registry_set(
        settings.postgres.url, embedded=settings.postgres.embedded), settings.privacy.refresh_s)
    watch_ingest(service)  # read at scrape time; nothing is added per message
    server = metrics.serve(settings.metrics.host, settings.metrics.ingest_port,
                           ready=lambda: {"logged_in": service.ready.is_set(),
                                          "kafka": bool(service.publisher.connected)})
    try:
        asyncio.run(_run(service))
    except IngestStartupError as error:
        typer.echo(f"chat ingest cannot start: {error}", err=True)
        raise typer.Exit(2) from None
    finally:
        server.close()


async def _run(service: ChatIngestService) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await service.run(stop)
