"""`chatlake sql`: query the lake with DuckDB, its datasets already defined as views."""

import sys

import duckdb
import typer
from rich.console import Console
from rich.table import Table

from core.settings import Settings
from warehouse.catalog import connect

MAX_ROWS = 100


def register(app: typer.Typer) -> None:
    app.command("sql")(sql)


def sql(
    query: str = typer.Argument(None, help="SQL to run; without it, an interactive shell."),
) -> None:
    """Run a query over the lake (views: chat_messages, chat_windows, stream_lifecycle,
    dead_letters), or open a shell."""
    con = connect(Settings().lake.uri)
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
