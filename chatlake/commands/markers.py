"""`chatlake markers`: a VOD's detections and clips as editor markers (CSV, EDL, chapters)."""

from enum import Enum
from pathlib import Path
from typing import Annotated

import psycopg
import typer

from chatlake.commands.options import iso_time
from core.files import write_atomically
from core.settings import Settings
from warehouse.catalog import connect
from warehouse.lake_store import LakeStore
from warehouse.markers import render
from warehouse.vod_markers import MarkersError, read_markers, stream_span, vod_span


class MarkerFormat(str, Enum):
    csv = "csv"
    edl = "edl"
    chapters = "chapters"


def register(app: typer.Typer) -> None:
    app.command("markers")(markers)


def markers(
    vod_id: Annotated[str | None, typer.Argument(
        help="An imported VOD's id. Without it: a recorded live stream, see --channel.")] = None,
    fmt: Annotated[MarkerFormat, typer.Option(
        "--format", "-f", help="csv, edl (CMX 3600) or chapters (YouTube).")] = MarkerFormat.csv,
    channel: Annotated[str | None, typer.Option(
        help="A recorded live stream of this channel (login or id): the latest, or the one "
             "live at --started-at.")] = None,
    started_at: Annotated[str | None, typer.Option(
        help="With --channel: when the stream went online, or any time during it (ISO 8601; "
             "the latest stream to go online by then, a minute's slack).")] = None,
    fps: Annotated[int, typer.Option(min=1, max=120, help="EDL/CSV timecode frame rate.")] = 30,
    start_hour: Annotated[int, typer.Option(
        min=0, max=23, help="EDL timecode of the VOD's first frame, in hours "
                            "(Resolve timelines start at 1).")] = 0,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write here; default: standard output.")] = None,
) -> None:
    """Markers at VOD offsets for editing timelines: every detection and clip of the VOD."""
    if (vod_id is None) == (channel is None):
        raise typer.BadParameter("give a VOD id or --channel (a recorded live stream), not both")
    started = iso_time(started_at, "--started-at")
    settings = Settings()
    con = connect(LakeStore.from_settings(settings.lake))
    try:
        span = vod_span(con, vod_id) if vod_id else stream_span(con, channel, started)
    except MarkersError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    finally:
        con.close()
    try:
        with psycopg.connect(settings.postgres.url, connect_timeout=10) as postgres:
            found = read_markers(postgres, span)
    except psycopg.OperationalError as error:
        typer.echo(f"error: PostgreSQL is unavailable ({settings.postgres.url.split('@')[-1]}): "
                   f"{str(error).strip().splitlines()[0]}", err=True)
        raise typer.Exit(1) from None
    try:
        text = render(found, fmt.value, span.title, fps, start_hour)
    except ValueError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        write_atomically(output, lambda handle: handle.write(text.encode()))
    except OSError as error:
        typer.echo(f"error: cannot write {output}: {error.strerror or error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{len(found)} markers -> {output}", err=True)
