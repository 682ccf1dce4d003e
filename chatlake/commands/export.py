"""`chatlake export`: a mart, a lake table or a query to CSV, JSON lines, JSON or Parquet."""

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, BinaryIO

import duckdb
import psycopg
import pyarrow as pa
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from chatlake.commands.options import iso_time
from core.files import write_atomically
from core.settings import Settings
from warehouse.exports import (
    ExportError,
    Filters,
    encode,
    open_sources,
    plan,
    record_batches,
)
from warehouse.lake_store import LakeStore
from warehouse.optouts import registry_set


class Format(str, Enum):
    csv = "csv"
    jsonl = "jsonl"
    json = "json"
    parquet = "parquet"


def register(app: typer.Typer) -> None:
    app.command("export")(export)


def export(
    source: Annotated[str, typer.Argument(
        help="A mart (e.g. emote_usage), a lake table (chat_messages, chat_windows, "
             "stream_lifecycle, dead_letters) or a SQL query over them.")],
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.csv,
    channel: Annotated[str | None, typer.Option(
        help="Only this channel: its login or broadcaster id.")] = None,
    since: Annotated[str | None, typer.Option(
        help="Only rows at or after this time (ISO 8601, UTC when no offset).")] = None,
    until: Annotated[str | None, typer.Option(
        help="Only rows before this time (ISO 8601).")] = None,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write here (whole or not at all); default: standard output.")]
        = None,
    progress: Annotated[bool | None, typer.Option(
        "--progress/--no-progress",
        help="A progress bar on standard error (default: when it is a terminal).")] = None,
) -> None:
    """Export rows, streamed a batch at a time (memory stays bounded on any size).
    Unknown sources, bad times and unwritable files exit non-zero with one line saying why."""
    filters = Filters(channel, iso_time(since, "--since"), iso_time(until, "--until"))
    if filters.since and filters.until and filters.until <= filters.since:
        raise typer.BadParameter("--until must be after --since", param_hint="--until")
    if output is not None and output.is_dir():
        raise typer.BadParameter(f"{output} is a folder", param_hint="--output")
    if output is None and fmt is Format.parquet and sys.stdout.isatty():
        _fail("parquet is binary: pass -o FILE (or redirect standard output)")
    settings = Settings()
    try:
        con = open_sources(LakeStore.from_settings(settings.lake), settings.warehouse_path)
        try:
            export_plan = plan(con, source, fmt.value, filters)
            err = Console(stderr=True)
            show = err.is_terminal if progress is None else progress
            total = con.execute(export_plan.count_sql(), export_plan.params).fetchone()[0] \
                if show else None
            try:  # rows of opted-out users and channels never leave
                optouts = registry_set(settings.postgres.url,
                                       embedded=settings.postgres.embedded)
            except psycopg.Error as error:
                _fail(f"the opt-out registry is not reachable: {error}")
            reader = record_batches(con, export_plan, optouts)

            def write(handle: BinaryIO) -> int:
                rows = 0
                with Progress(TextColumn("exporting"), BarColumn(), MofNCompleteColumn(),
                              TimeRemainingColumn(), console=err, disable=not show,
                              transient=True) as bar:
                    task = bar.add_task("rows", total=total)
                    for chunk, count in encode(reader, fmt.value):
                        handle.write(chunk)
                        rows += count
                        bar.advance(task, count)
                return rows

            if output is None:
                write(sys.stdout.buffer)
                sys.stdout.buffer.flush()
            else:
                counted: list[int] = []
                write_atomically(output, lambda handle: counted.append(write(handle)))
                rows = counted[0]
                err.print(f"{rows} rows -> {output}", markup=False, highlight=False)
        finally:
            con.close()
    except ExportError as error:
        _fail(str(error))
    except (duckdb.Error, pa.ArrowException) as error:
        _fail(f"the export fails: {str(error).strip().splitlines()[0]}")
    except OSError as error:
        _fail(f"cannot write {output}: {error.strerror or error}")


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)
