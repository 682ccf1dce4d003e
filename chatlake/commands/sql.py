"""`chatlake sql`: query the lake with DuckDB, its datasets already defined as views."""

import sys
from datetime import datetime

import duckdb
import typer
from deltalake.exceptions import DeltaError
from rich.console import Console
from rich.table import Table

from chatlake.commands.options import iso_time
from core.settings import Settings
from warehouse.catalog import connect
from warehouse.lake_store import LakeStore

MAX_ROWS = 100


def register(app: typer.Typer) -> None:
    app.command("sql")(sql)


def sql(
    query: str = typer.Argument(None, help="SQL to run; without it, an interactive shell."),
    as_of: str = typer.Option(
        None, "--as-of",
        help="Query the tables as they were: a table version number, or a time (ISO 8601; "
             "each table at its newest version then)."),
) -> None:
    """Run a query over the lake (views: chat_messages, chat_windows, stream_lifecycle,
    dead_letters), or open a shell."""
    try:
        con = connect(LakeStore.from_settings(Settings().lake), as_of=_version(as_of))
    except DeltaError as error:
        typer.echo(f"error: the lake has no such version ({as_of}): {error}", err=True)
        raise typer.Exit(1) from None
    if query is not None:
        if not _run(con, query):
            raise typer.Exit(1)
        return
    typer.echo("chatlake sql shell; end statements with ';', Ctrl-D to leave.")
    buffer = ""
    for line in sys.stdin:
        buffer += line
        if buffer.rstrip().endswith(";"):
            _run(con, buffer)
            buffer = ""


def _version(as_of: str | None) -> int | datetime | None:
    if as_of is None:
        return None
    if as_of.isdigit():
        return int(as_of)
    try:
        return iso_time(as_of, "--as-of")
    except typer.BadParameter:
        raise typer.BadParameter(f"{as_of!r} is neither a table version (a number) nor an "
                                 "ISO 8601 time", param_hint="--as-of") from None


def _run(con: duckdb.DuckDBPyConnection, query: str) -> bool:
    try:
        cursor = con.execute(query)
        rows = cursor.fetchmany(MAX_ROWS + 1) if cursor.description else []
    except duckdb.Error as error:
        typer.echo(f"error: {error}", err=True)
        return False
    if not cursor.description:
        return True
    if len(rows) == 1 and len(rows[0]) == 1:
        # A single value prints bare, so scripts can capture it.
        typer.echo(rows[0][0])
        return True
    table = Table(*(column[0] for column in cursor.description))
    for row in rows[:MAX_ROWS]:
        table.add_row(*("NULL" if value is None else str(value) for value in row))
    Console().print(table)
    if len(rows) > MAX_ROWS:
        typer.echo(f"(first {MAX_ROWS} rows shown)")
    return True
