"""`chatlake lake optimize|vacuum|migrate`: upkeep of the lake's Delta tables."""

import typer

from core.settings import Settings
from warehouse.lake_maintenance import optimize, vacuum
from warehouse.lake_migration import MigrationError, migrate
from warehouse.lake_store import LakeStore

lake_app = typer.Typer(help="Upkeep of the lake's tables: compaction, vacuum, migration.",
                       no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(lake_app, name="lake")


@lake_app.command("optimize")
def optimize_command(
    current_day: bool = typer.Option(
        False, "--current-day", help="Only today's partitions (the ones still being written)."),
) -> None:
    """Compact small files into large ones, one commit per table; readers are never stopped."""
    store = LakeStore.from_settings(Settings().lake)
    for result in optimize(store, current_day_only=current_day):
        typer.echo(f"{result.table}: {result.files_removed} files -> {result.files_added} "
                   f"in {result.partitions_optimized} partitions (version {result.version})")


@lake_app.command("vacuum")
def vacuum_command(
    retention_hours: float = typer.Option(
        None, help="Keep files needed by any version of the last N hours "
                   "(default: CHATLAKE_LAKE_VACUUM_RETENTION_HOURS, 168)."),
) -> None:
    """Delete files that no recent table version needs (left by optimize and deletes)."""
    settings = Settings()
    hours = settings.lake.vacuum_retention_hours if retention_hours is None else retention_hours
    try:
        results = vacuum(LakeStore.from_settings(settings.lake), hours)
    except ValueError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    for result in results:
        typer.echo(f"{result.table}: {result.files_deleted} files deleted")


@lake_app.command("migrate")
def migrate_command() -> None:
    """Turn a lake of plain Parquet folders (chatlake before Delta) into tables, once."""
    settings = Settings()
    try:
        for line in migrate(LakeStore.from_settings(settings.lake)):
            typer.echo(line)
    except MigrationError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
