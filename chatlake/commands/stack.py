"""`chatlake up`, `down` and `status`: the embedded stack on one machine."""

import shlex
from typing import Annotated

import psycopg
import typer
from aiokafka.errors import KafkaError
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from chatlake.embedded import processes, services, stack
from core.settings import Settings

# What a user can fix (a taken port, an unreachable endpoint, a bad folder): one line, exit 1.
EXPECTED_FAILURES = (
    processes.PortInUseError,
    processes.StartupError,
    KafkaError,
    psycopg.Error,
    OSError,
    RuntimeError,
)

STATE_STYLES = {"running": "green", "stopped": "red", "external": "cyan"}


def register(app: typer.Typer) -> None:
    app.command("up")(up)
    app.command("down")(down)
    app.command("status")(status)


def up(
    archiver_command: Annotated[
        str | None,
        typer.Option(
            envvar="CHATLAKE_ARCHIVER_COMMAND",
            help="Command line that runs the lake archiver (default: `chatlake archive`).",
            hidden=True,
        ),
    ] = None,
) -> None:
    """Start embedded Kafka and PostgreSQL (unless external ones are set), then the archiver."""
    console = Console(highlight=False, soft_wrap=True)
    settings = Settings()
    command = shlex.split(archiver_command) if archiver_command else None
    try:
        stack.up(settings, lambda line: console.print(escape(line)), archiver_command=command)
    except EXPECTED_FAILURES as failure:
        _fail(failure)
    console.print("[green]up[/green]: run `chatlake status` to see it, `chatlake down` to stop it")


def down() -> None:
    """Stop everything `up` started: the archiver, then Kafka, then PostgreSQL."""
    console = Console(highlight=False, soft_wrap=True)
    try:
        stack.down(Settings(), lambda line: console.print(escape(line)))
    except EXPECTED_FAILURES as failure:
        _fail(failure)


def status() -> None:
    """Show each part of the stack and every other chatlake process running (the demo's
    services, ones started by hand): state, pid, endpoint, health and metrics URL."""
    settings = Settings()
    table = Table(box=None, pad_edge=False)
    for column in ("part", "state", "pid", "endpoint", "health", "metrics"):
        table.add_column(column)
    records = {r.name: r for r in services.running_records(settings)}
    for part in stack.status(settings):
        style = STATE_STYLES.get(part.state, "")
        record = records.pop(part.part, None)
        shown = services.describe(settings, record) if record else {"health": "-",
                                                                   "metrics": "-"}
        if part.part in ("kafka", "postgres") and part.state != "stopped" and part.endpoint:
            host, _, port = part.endpoint.rpartition(":")
            accepts = port.isdigit() and processes.port_accepts(int(port), host or "127.0.0.1")
            shown["health"] = "ok" if accepts else "down"  # they answer on their port
        table.add_row(
            part.part,
            f"[{style}]{part.state}[/{style}]",
            str(part.pid) if part.pid else "-",
            escape(part.endpoint or "-"),
            shown["health"].replace(" ", "_"),
            escape(shown["metrics"]),
        )
    for name, record in records.items():
        if name in ("kafka", "postgres"):
            continue
        shown = services.describe(settings, record)
        table.add_row(name, "[green]running[/green]", str(record.pid), "-",
                      shown["health"].replace(" ", "_"), escape(shown["metrics"]))
    Console(highlight=False, width=200).print(table)


def _fail(failure: BaseException) -> None:
    Console(stderr=True, highlight=False, soft_wrap=True).print(
        f"[red]error[/red]: {escape(str(failure))}"
    )
    raise typer.Exit(1) from failure
