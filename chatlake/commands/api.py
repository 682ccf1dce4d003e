"""`chatlake api serve` (the web UI and API) and `chatlake api emote-set` (third-party emotes)."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import psycopg
import typer
from rich.console import Console

from core.listening import announce
from core.settings import Settings

api_app = typer.Typer(help="The web UI and JSON API.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(api_app, name="api")


@api_app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int | None, typer.Option(help="Port (default: CHATLAKE_API_PORT, 8780).")
    ] = None,
    access_log: Annotated[bool, typer.Option(help="Log every request.")] = False,
) -> None:
    """Serve the web UI and the API until stopped (SIGINT/SIGTERM)."""
    import uvicorn  # here, not at the top: `chatlake --help` stays fast

    from api.app import create_app

    settings = Settings()
    announce("the web UI and API", host, port or settings.api.port)
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port or settings.api.port,
        access_log=access_log,
        log_level="info",
        log_config=None,  # uvicorn's loggers write through the process's set-up (core.logs)
        # Open connections get 5 s to finish on SIGTERM, so `chatlake down` never waits long.
        timeout_graceful_shutdown=5,
    )


@api_app.command("emote-set")
def emote_set(
    path: Annotated[Path, typer.Argument(help="A 7TV emote set or user JSON file.")],
    channel_id: Annotated[
        str | None,
        typer.Option(help="Broadcaster id the set belongs to (default: the file's Twitch id)."),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(help="When the snapshot was taken (ISO 8601; default: now)."),
    ] = None,
) -> None:
    """Store a channel's third-party emote set, so the API and the marts count its emotes."""
    from api.emote_sets import read_7tv, save_snapshot
    from warehouse.lake_store import LakeStore

    console = Console(stderr=True, highlight=False)
    try:
        snapshot = read_7tv(path)
        when = datetime.fromisoformat(as_of) if as_of else datetime.now(UTC)
    except (OSError, ValueError) as error:
        console.print(f"[red]error[/red]: {error}")
        raise typer.Exit(1) from error
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    broadcaster_id = channel_id or snapshot.broadcaster_id
    if not broadcaster_id:
        console.print("[red]error[/red]: the file names no Twitch channel; pass --channel-id")
        raise typer.Exit(1)
    settings = Settings()
    try:
        with psycopg.connect(settings.postgres.url) as conn:
            opened, closed = save_snapshot(
                conn, LakeStore.from_settings(settings.lake), broadcaster_id, snapshot, when)
    except psycopg.Error as error:
        console.print(f"[red]error[/red]: PostgreSQL: {error}")
        raise typer.Exit(1) from error
    console.print(
        f"{snapshot.provider} set of {broadcaster_id}: {len(snapshot.emotes)} emotes, "
        f"{opened} added, {closed} closed"
    )
