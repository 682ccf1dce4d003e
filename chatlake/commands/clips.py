"""`chatlake clips from-vod DETECTIONS.json --broadcaster-id ID`: clip a past broadcast's
detections with Twitch's Create Clip from VOD, at the lag-corrected offset (clipper/from_vod.py).

The detections are `chatlake backtest ... --json` output (chat files or `--lake`). The token is
the seeded one (`chatlake auth seed`); its user must be the broadcaster or one of its editors.
Bad input: one line and exit 2; a Twitch refusal: one line and exit 1.
"""

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from clipper.from_vod import DetectionsError, PlannedClip, create, plan, read_detections
from core.settings import Settings
from twitch.helix import HelixClient, HelixEndpoint, HelixError, UserToken
from twitch.tokens import TokenFileError, TokenStore

clips_app = typer.Typer(help="Clips from detections.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(clips_app, name="clips")


@clips_app.command("from-vod")
def from_vod(
    detections: Annotated[Path, typer.Argument(help="`chatlake backtest --json` output.")],
    broadcaster_id: Annotated[str, typer.Option(help="The channel whose VOD is clipped.")],
    vod_id: Annotated[list[str] | None, typer.Option(
        help="VIDEO=VOD when a detection's video id is not its Twitch VOD id; or just VOD "
             "when the file has one video.")] = None,
    duration: Annotated[float, typer.Option(help="Clip length, 5-60 s.")] = 30.0,
    lag: Annotated[float | None, typer.Option(
        help="Chat lag behind the moment, s (default CHATLAKE_CLIPPER_CHAT_LAG_S).")] = None,
    lead_in: Annotated[float, typer.Option(help="Seconds of clip before the moment.")] = 10.0,
    dry_run: Annotated[bool, typer.Option(help="Print the clips, create none.")] = False,
) -> None:
    """Create a clip of a past broadcast for each detection."""
    settings = Settings()
    try:
        found = read_detections(detections)
        planned = plan(found, chat_lag_s=settings.clipper.chat_lag_s if lag is None else lag,
                       duration=duration, lead_in_s=lead_in,
                       vod_ids=_vod_ids(vod_id or [], {d.video_id for d in found}))
    except (DetectionsError, ValueError) as error:
        _fail(str(error))
    if dry_run:
        for clip in planned:
            typer.echo(_line(clip, "(dry run)"))
        return
    try:
        store = TokenStore(settings.twitch.token_file)
        user = UserToken(store)
        endpoint = HelixEndpoint.from_settings(settings)
    except TokenFileError as error:
        _fail(str(error))
    try:
        asyncio.run(_create_all(endpoint, user, broadcaster_id, planned))
    except HelixError as error:
        hint = (" (the token's user must be the broadcaster or an editor of the channel)"
                if error.status == 403 else "")
        typer.echo(f"clips from-vod: Twitch refused a clip: HTTP {error.status}: "
                   f"{error.message}{hint}", err=True)
        raise typer.Exit(1) from None


async def _create_all(endpoint: HelixEndpoint, user: UserToken, broadcaster_id: str,
                      planned: list[PlannedClip]) -> None:
    async with HelixClient(endpoint, user=user) as helix:
        for clip in planned:
            made = await create(helix, broadcaster_id, user.token.user_id, clip)
            typer.echo(_line(clip, f"clip {made['id']}"))


def _vod_ids(pairs: list[str], videos: set[str]) -> dict[str, str]:
    if len(pairs) == 1 and "=" not in pairs[0]:
        if len(videos) != 1:
            raise ValueError(f"--vod-id {pairs[0]} without VIDEO= needs a file of one video "
                             f"(it has {len(videos)})")
        return {next(iter(videos)): pairs[0]}
    mapping = {}
    for pair in pairs:
        video, sep, vod = pair.partition("=")
        if not sep or not video or not vod:
            raise ValueError(f"--vod-id {pair!r} is not VIDEO=VOD")
        mapping[video] = vod
    return mapping


def _line(clip: PlannedClip, what: str) -> str:
    return (f"video {clip.detection.video_id} detection at {clip.detection.time_s:.1f} s -> "
            f"{what}: VOD {clip.vod_id} {clip.start_s:.0f}-{clip.vod_offset} s")


def _fail(message: str) -> None:
    typer.echo(f"clips from-vod: {message}", err=True)
    raise typer.Exit(2)
