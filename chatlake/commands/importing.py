"""`chatlake import`: chat files users already have -> the lake or Kafka."""

import asyncio
import os
from collections.abc import Iterator
from enum import Enum
from pathlib import Path
from typing import Annotated

import psycopg
import typer
from rich.console import Console
from rich.progress import MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

from chatlake.commands.options import iso_time
from core.settings import Settings
from ingest.chat_import import (
    FileReport,
    import_files_to_lake,
    import_to_kafka,
    import_to_lake,
)
from ingest.importers import ImportFileError, ImportOptions
from ingest.stream_metadata import StreamDescription, imported_stream, record_stream
from warehouse.lake_store import LakeStore
from warehouse.optouts import OptOutSet, registry_set

DEFAULT_JOBS = os.cpu_count() or 1
# How many bad-line locations to name in the summary; all of them are in the dead letters.
SHOWN_BAD_LINES = 5


class Destination(str, Enum):
    kafka = "kafka"
    lake = "lake"


def register(app: typer.Typer) -> None:
    app.command("import")(import_files)


def import_files(
    files: Annotated[list[Path], typer.Argument(
        help="Chat files: TwitchDownloader JSON(.gz), chat-downloader JSON/JSONL, raw IRC "
             "logs, '<epoch> <login>: <text>' logs.")],
    channel: Annotated[str | None, typer.Option(
        help="Channel login, for files that lack it.")] = None,
    channel_id: Annotated[str | None, typer.Option(
        help="Channel id, for files that lack it.")] = None,
    start: Annotated[str | None, typer.Option(
        help="When the video started (ISO 8601), for files with offsets only.")] = None,
    to: Annotated[Destination, typer.Option(
        help="Straight into the lake, or into Kafka.")] = Destination.lake,
    speed: Annotated[float | None, typer.Option(
        help="With --to kafka: replay at the chat's own pace, N times faster.")] = None,
    jobs: Annotated[int, typer.Option(
        help="With --to lake: files imported at once (one process each).")] = DEFAULT_JOBS,
    again: Annotated[bool, typer.Option(
        help="With --to kafka: publish a file whose content was published before (a replay "
             "for the detector; the lake then holds its messages twice).")] = False,
    game: Annotated[str | None, typer.Option(
        help="The game the files' streams were about (stored in PostgreSQL's streams table "
             "for community labels).")] = None,
    language: Annotated[str | None, typer.Option(
        help="Their language (ISO 639-1, e.g. en).")] = None,
    title: Annotated[str | None, typer.Option(
        help="Their title (default: the file's own, when it has one).")] = None,
) -> None:
    """Import chat files. Bad lines are counted, named and kept in the dead letters; a file
    that cannot be read at all is an error and the exit status is non-zero."""
    if speed is not None and (to is not Destination.kafka or speed <= 0):
        raise typer.BadParameter("--speed needs --to kafka and a positive number")
    if again and to is not Destination.kafka:
        raise typer.BadParameter("--again needs --to kafka (a lake import never doubles)")
    options = ImportOptions(channel=channel, channel_id=channel_id,
                            start=iso_time(start, "--start"))
    said = StreamDescription(game, _language(language), title)
    settings = Settings()
    lake = LakeStore.from_settings(settings.lake)
    console = Console(stderr=True)
    try:  # opted-out users' and channels' messages are never written
        optouts = registry_set(settings.postgres.url, embedded=settings.postgres.embedded)
    except psycopg.Error as error:
        console.print(f"[red]error:[/red] the opt-out registry is not reachable: {error}",
                      highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    if to is Destination.lake and len(files) > 1 and jobs > 1:
        outcomes = _import_to_lake_in_parallel(files, options, lake, jobs, console, optouts)
    else:
        outcomes = _import_one_by_one(files, options, settings, lake, to, speed, again,
                                      console, optouts)
    failed, done = 0, []
    for outcome in outcomes:
        if isinstance(outcome, str):  # a file that could not be imported: what is wrong
            console.print(f"[red]error:[/red] {outcome}", highlight=False, soft_wrap=True)
            failed += 1
        else:
            _summarise(console, outcome, to)
            if said:
                done.append(outcome.path)
    if done:
        _record_streams(done, options, said, settings, console)
    if failed:
        raise typer.Exit(1)


def _import_one_by_one(files: list[Path], options: ImportOptions, settings: Settings,
                       lake: LakeStore, to: Destination, speed: float | None, again: bool,
                       console: Console, optouts: OptOutSet) -> Iterator[FileReport | str]:
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), MofNCompleteColumn(),
                  TextColumn("messages"), console=console, transient=True) as progress:
        for path in files:
            task = progress.add_task(path.name, total=None)
            advance = lambda n, task=task: progress.advance(task, n)  # noqa: E731
            try:
                if to is Destination.lake:
                    yield import_to_lake(path, options, lake, advance, optouts)
                else:
                    yield asyncio.run(import_to_kafka(
                        path, options, settings.kafka.servers, speed, advance, lake=lake,
                        again=again, optouts=optouts))
            except ImportFileError as error:
                yield str(error)
            finally:
                progress.remove_task(task)


def _import_to_lake_in_parallel(files: list[Path], options: ImportOptions, lake: LakeStore,
                                jobs: int, console: Console, optouts: OptOutSet
                                ) -> Iterator[FileReport | str]:
    with Progress(SpinnerColumn(), TextColumn("files"), MofNCompleteColumn(),
                  console=console, transient=True) as progress:
        task = progress.add_task("files", total=len(files))
        for outcome in import_files_to_lake(files, options, lake, jobs, optouts):
            progress.advance(task)
            yield outcome


def _summarise(console: Console, report: FileReport, to: Destination) -> None:
    if report.already_imported:
        where = "published to Kafka or imported" if to is Destination.kafka else "in the lake"
        console.print(f"{report.path.name}: already {where} (same content), nothing written"
                      + (" (--again sends it anyway)" if to is Destination.kafka else ""),
                      highlight=False, soft_wrap=True)
        return
    console.print(f"{report.path.name}: {report.messages} messages -> {to.value}",
                  highlight=False, soft_wrap=True)
    if report.bad_lines:
        shown = ", ".join(bad.location for bad in report.bad_lines[:SHOWN_BAD_LINES])
        more = ", ..." if len(report.bad_lines) > SHOWN_BAD_LINES else ""
        console.print(f"  {len(report.bad_lines)} bad lines ({shown}{more}) kept in the dead "
                      f"letters; first problem: {report.bad_lines[0].error}",
                      highlight=False, soft_wrap=True)


def _language(code: str | None) -> str | None:
    if code is not None and not (len(code) == 2 and code.isascii() and code.isalpha()):
        raise typer.BadParameter(f"{code!r} is not a two-letter language code (e.g. en)",
                                 param_hint="--language")
    return code.lower() if code else None


def _record_streams(files: list[Path], options: ImportOptions, said: StreamDescription,
                    settings: Settings, console: Console) -> None:
    """Each imported file's stream with what the user said about it, in PostgreSQL."""
    streams = [s for s in (imported_stream(path, options, said) for path in files) if s]
    try:
        with psycopg.connect(settings.postgres.url, connect_timeout=5) as conn:
            for stream in streams:
                record_stream(conn, stream)
    except psycopg.Error as error:
        console.print(f"[red]error:[/red] the streams' game/language/title were not stored: "
                      f"PostgreSQL: {type(error).__name__}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    for stream in streams:
        console.print(f"{stream.broadcaster_id} stream of {stream.started_at:%Y-%m-%d %H:%M} "
                      f"UTC: game {stream.game_name or '-'}, language {stream.language or '-'}",
                      highlight=False, soft_wrap=True)
