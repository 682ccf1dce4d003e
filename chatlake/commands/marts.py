"""`chatlake marts build|status`: the dbt marts over the lake, built without stopping readers."""

from datetime import date
from typing import Annotated

import typer

from core.settings import Settings
from warehouse.lake_store import LakeStore
from warehouse.marts_build import DbtBuildError, build_marts, plan_build, run_dbt_subprocess
from warehouse.marts_file import MartsFile

marts_app = typer.Typer(help="The dbt marts: build them, see what they hold.",
                        no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(marts_app, name="marts")


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a day (YYYY-MM-DD)") from None


@marts_app.command("build")
def build_command(
    day: Annotated[list[str] | None, typer.Option(
        "--day", help="Rebuild this UTC day (YYYY-MM-DD; repeatable). Default: the days "
                      "that changed in the lake since the last build.")] = None,
    full: Annotated[bool, typer.Option(
        "--full", help="Rebuild everything from the lake.")] = False,
) -> None:
    """Build the marts into a copy of the marts file and swap it in; readers never wait."""
    if full and day:
        typer.echo("error: --full rebuilds every day; give --day or --full, not both", err=True)
        raise typer.Exit(2)
    settings = Settings()
    store, marts = LakeStore.from_settings(settings.lake), MartsFile(settings.warehouse_path)
    plan = plan_build(store, marts, days=[_day(d) for d in day] if day else None, full=full)
    try:
        build = build_marts(store, marts, plan, run_dbt_subprocess)
    except DbtBuildError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    if build is None:
        typer.echo("marts: up to date with the lake, nothing rebuilt")
        return
    what = "everything" if build.days is None else f"{len(build.days)} day(s)"
    typer.echo(f"marts: rebuilt {what} -> {marts.path} (lake versions {build.lake_versions}, "
               f"newest message {build.through})")


@marts_app.command("status")
def status_command() -> None:
    """What the published marts were built from, and how far the lake has moved since."""
    settings = Settings()
    store, marts = LakeStore.from_settings(settings.lake), MartsFile(settings.warehouse_path)
    build = marts.last_build()
    if build is None:
        typer.echo(f"marts: not built yet ({marts.path}); run `chatlake marts build`")
        raise typer.Exit(1)
    pending = plan_build(store, marts)
    typer.echo(f"marts: built {build.built_at.isoformat()} from lake versions "
               f"{build.lake_versions}, newest message {build.through}")
    typer.echo(f"days changed in the lake since: {len(pending.days or ())}")
