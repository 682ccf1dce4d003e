"""`chatlake ops render|up|down`: Prometheus, Alertmanager and the node exporter for chatlake
(the configs in deploy/, rendered for the current settings; docs/operations.md)."""

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from chatlake.commands.stack import EXPECTED_FAILURES, _fail
from chatlake.embedded import monitoring
from core.settings import Settings

ops_app = typer.Typer(help="Prometheus, Alertmanager and the node exporter.",
                      no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(ops_app, name="ops")


@ops_app.command("render")
def render(
    out: Annotated[Path, typer.Option(help="Folder to write prometheus.yml, rules/ and "
                                      "alertmanager.yml into.")],
) -> None:
    """Write the Prometheus and Alertmanager configs for the current settings."""
    for path in monitoring.render(Settings(), out):
        typer.echo(str(path))


@ops_app.command("up")
def up() -> None:
    """Render the configs under <state>/ops and start Prometheus, Alertmanager and the node
    exporter (Debian's packages) on loopback."""
    console = Console(highlight=False, soft_wrap=True)
    try:
        monitoring.up(Settings(), lambda line: console.print(escape(line)))
    except EXPECTED_FAILURES as failure:
        _fail(failure)


@ops_app.command("down")
def down() -> None:
    """Stop what `ops up` started."""
    console = Console(highlight=False, soft_wrap=True)
    monitoring.down(Settings(), lambda line: console.print(escape(line)))
