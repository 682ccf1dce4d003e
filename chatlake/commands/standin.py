"""`chatlake standin`: run the Twitch stand-in in the foreground, optionally with chat.

    uv run chatlake standin --synthetic            # 6 live channels of synthetic chat
    uv run chatlake standin --chat vod.json --speed 10
    uv run chatlake standin --synthetic --channels 250 --accounts 3 --token-dir tokens
                                                   # 250 live channels, 3 reader accounts
    export CHATLAKE_TWITCH_STANDIN_URL=http://127.0.0.1:8790   # then point chatlake at it
"""

import asyncio
import itertools
import json
import math
import signal
from pathlib import Path

import typer

from core.listening import is_loopback
from core.settings import Settings
from ingest.importers import ImportOptions
from standin import TwitchStandIn
from standin.replay import file_events, replay, synthetic_events
from standin.synthetic import synthetic_channels
from twitch.tokens import StoredToken, TokenStore


def register(app: typer.Typer) -> None:
    app.command("standin")(standin)


def standin(
    port: int | None = typer.Option(None, help="Port (default CHATLAKE_TWITCH_STANDIN_PORT)."),
    host: str = typer.Option("127.0.0.1", help="Address to listen on (loopback only, "
                             "unless --allow-remote)."),
    allow_remote: bool = typer.Option(
        False, "--allow-remote", help="Allow a --host other machines can reach (the stand-in "
        "has no real authentication)."),
    synthetic: bool = typer.Option(False, "--synthetic", help="Play synthetic chat."),
    channels: int = typer.Option(6, help="How many synthetic channels."),
    chat: list[Path] = typer.Option(  # noqa: B008 - typer's way
        [], "--chat", help="Replay this chat file (any importer format); repeatable."),
    channel: str | None = typer.Option(None, help="Channel login, for files that lack it."),
    speed: float = typer.Option(1.0, help="Replay speed: 10 plays ten times faster."),
    clip_delay: float = typer.Option(2.0, help="Seconds until a created clip is visible."),
    accounts: int = typer.Option(
        0, help="Create this many reader accounts and write a token file for each into "
        "--token-dir (one per ingest shard)."),
    token_dir: Path = typer.Option(  # noqa: B008 - typer's way
        Path("standin-tokens"), help="Where --accounts writes token files (mode 0600)."),
) -> None:
    """Serve Twitch's OAuth, Helix and EventSub on 127.0.0.1 until SIGINT/SIGTERM."""
    if not allow_remote and not is_loopback(host):
        raise typer.BadParameter(f"{host} is reachable from other machines and the stand-in has "
                                 "no real authentication; add --allow-remote if you mean it",
                                 param_hint="--host")
    settings = Settings()
    asyncio.run(_serve(settings, port or settings.twitch.standin_port, synthetic, channels,
                       chat, channel, speed, clip_delay, accounts, token_dir,
                       host=host, allow_remote=allow_remote))


async def _serve(settings: Settings, port: int, synthetic: bool, channels: int,
                 chat: list[Path], channel: str | None, speed: float,
                 clip_delay: float, accounts: int = 0,
                 token_dir: Path = Path("standin-tokens"), *, host: str = "127.0.0.1",
                 allow_remote: bool = False) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with TwitchStandIn(host=host, port=port, clip_delay_s=clip_delay,
                             allow_remote=allow_remote) as server:
        if settings.twitch.client_id and settings.twitch.client_secret:
            server.register_app(settings.twitch.client_id, settings.twitch.client_secret)
        streams, sources = [], []
        if synthetic:
            fake = synthetic_channels(channels)
            streams += [{"user_id": c.broadcaster_id, "user_login": c.login,
                         "viewer_count": c.viewer_count} for c in fake]
            sources.append(synthetic_events(fake, math.inf))
        for path in chat:
            events = file_events(path, ImportOptions(channel=channel))
            first = next(events, None)
            if first is None:
                continue
            event = first[1]
            streams.append({"user_id": event["broadcaster_user_id"],
                            "user_login": event["broadcaster_user_login"],
                            "viewer_count": 10_000})
            sources.append(itertools.chain([first], events))
        server.set_streams(streams)
        _write_info(settings, server)
        typer.echo(f"Twitch stand-in at {server.base_url} ({len(streams)} live channels)\n"
                   f"  export CHATLAKE_TWITCH_STANDIN_URL={server.base_url}")
        for shard, path in _seed_accounts(server, accounts, token_dir):
            typer.echo(f"  uv run chatlake ingest --shard {shard} --token-file {path}")
        tasks = [asyncio.create_task(replay(source, server.push_events, speed=speed, stop=stop))
                 for source in sources]
        await stop.wait()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def _seed_accounts(server: TwitchStandIn, accounts: int,
                   folder: Path) -> list[tuple[str, Path]]:
    """`accounts` stand-in users with a token file each (never printed: only the paths)."""
    seeded = []
    for number in range(1, accounts + 1):
        user = server.world.user_by_login(f"chatlake_reader_{number}") or server.add_user(
            f"chatlake_reader_{number}")
        token = server.issue_user_token(user.user_id)
        path = folder / f"reader-{number}.json"
        TokenStore(path).save(StoredToken(
            access_token=token.access_token, refresh_token=token.refresh_token or "",
            user_id=user.user_id, login=user.login, client_id=server.client_id,
            scopes=token.scopes))
        seeded.append((f"reader-{number}", path))
    return seeded


def _write_info(settings: Settings, server: TwitchStandIn) -> None:
    """Where other processes find it: <state_dir>/run/standin.json (no real secrets)."""
    path = settings.run_dir / "standin.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"base_url": server.base_url, "helix_url": server.helix_url,
                                "auth_url": server.auth_url,
                                "eventsub_ws_url": server.eventsub_ws_url}, indent=2))
