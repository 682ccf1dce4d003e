"""`chatlake clipper`: turn pending detections into Twitch clips until SIGINT/SIGTERM.

Exits 2 before doing anything when the Twitch token is missing, invalid (and cannot be
refreshed) or lacks clips:edit; the message says to run `chatlake auth seed`.
"""

import asyncio
import logging
import signal

import typer

from clipper import ClipperConfig, ClipperService, ClipperStartupError
from core import metrics
from core.settings import Settings
from twitch.helix import HelixEndpoint
from twitch.tokens import TokenFileError, TokenStore

log = logging.getLogger(__name__)


def register(app: typer.Typer) -> None:
    app.command("clipper")(clipper)


def clipper() -> None:
    """Create a clip for each pending detection; complete or fail its row."""
    settings = Settings()
    try:
        endpoint = HelixEndpoint.from_settings(settings)
    except TokenFileError as error:
        _fail(str(error))
    service = ClipperService(ClipperConfig.from_settings(settings), endpoint,
                             TokenStore(settings.twitch.token_file))
    try:
        asyncio.run(_run(service, settings))
    except ClipperStartupError as error:
        _fail(str(error))


async def _run(service: ClipperService, settings: Settings) -> None:
    await service.check_token()  # before anything else: a bad token means do nothing
    server = metrics.serve(settings.metrics.host, settings.metrics.clipper_port,
                           ready=lambda: {"running": service.ready.is_set(),
                                          "token": service.fatal is None})
    if server.url:
        log.info("clipper metrics at %s", server.url)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await service.run(stop)
    finally:
        server.close()


def _fail(message: str) -> None:
    typer.echo(f"clipper cannot run: {message}", err=True)
    raise typer.Exit(2)
