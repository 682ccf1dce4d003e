"""`chatlake communities build|export`: channel communities from the marts' chat overlap."""

import shutil
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import psycopg
import typer

from core.settings import Settings
from warehouse.communities.build import CommunitySettings
from warehouse.communities.graph import WEIGHTS
from warehouse.communities.inputs import PERIODS
from warehouse.communities.outputs import TABLES
from warehouse.communities.run import CommunitiesInputError, build_communities, communities_root
from warehouse.communities.stream_tags import stream_tags

communities_app = typer.Typer(help="Channel communities from shared chatters: find, export.",
                              no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(communities_app, name="communities")


class FileFormat(StrEnum):
    csv = "csv"
    parquet = "parquet"


def _period(value: str) -> str:
    if value not in PERIODS:
        raise typer.BadParameter(f"{value!r} is not a period; choose one of {', '.join(PERIODS)}")
    return value


def _weight(value: str) -> str:
    if value not in WEIGHTS:
        raise typer.BadParameter(f"{value!r} is not an edge weight; choose one of "
                                 f"{', '.join(WEIGHTS)}")
    return value


def _positive(name: str, value: float) -> float:
    if not value > 0:
        raise typer.BadParameter(f"{name} must be greater than 0 (got {value})")
    return value


PeriodOption = Annotated[str, typer.Option(
    "--period", callback=_period,
    help=f"Which overlap period: {', '.join(PERIODS)} (days ending at the newest day).")]
OutOption = Annotated[Path | None, typer.Option(
    "--out", help="Output root (default <state>/communities); files go in <out>/<period>/.")]


@communities_app.command("build")
def build_command(
    period: PeriodOption = "7d",
    weight: Annotated[str, typer.Option(
        "--weight", callback=_weight,
        help=f"Edge weight: {', '.join(WEIGHTS)}.")] = "jaccard_index",
    resolution: Annotated[float, typer.Option(
        "--resolution", callback=lambda v: _positive("--resolution", v),
        help="Leiden resolution: higher finds more, smaller communities.")] = 1.0,
    seed: Annotated[int, typer.Option("--seed", help="Leiden's seed (same seed, same "
                                      "partition).")] = 42,
    out: OutOption = None,
    labels_from_postgres: Annotated[bool, typer.Option(
        "--labels-from-postgres/--no-labels-from-postgres",
        help="Label communities with the games and languages the stream monitor saw "
             "(PostgreSQL `streams`).")] = True,
) -> None:
    """Find communities in one period's overlap graph (Leiden) and write nodes, edges,
    communities (CSV, Parquet), a summary and the maps."""
    settings = Settings()
    root = out or communities_root(settings.state_dir)
    tags = None
    if labels_from_postgres:
        try:
            tags = stream_tags(settings.postgres.url)
        except psycopg.Error as error:
            typer.echo(f"note: no labels, PostgreSQL is unreachable ({type(error).__name__}); "
                       "--no-labels-from-postgres skips it", err=True)
    try:
        run = build_communities(settings.warehouse_path, root, period,
                                CommunitySettings(weight, resolution, seed), tags)
    except CommunitiesInputError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    s = run.summary
    typer.echo(f"communities ({period} ending {s['period_end']}): {s['channels']} channels, "
               f"{s['edges']} edges, {s['communities']} communities; modularity "
               f"{s['modularity']:.4f} (a random partition of the same sizes: "
               f"{s['random_partition_modularity']:.4f}) -> {run.folder}")


@communities_app.command("export")
def export_command(
    table: Annotated[str, typer.Argument(help=f"One of {', '.join(TABLES)}.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="The file to write.")],
    period: PeriodOption = "7d",
    file_format: Annotated[FileFormat, typer.Option("--format")] = FileFormat.csv,
    out: OutOption = None,
) -> None:
    """Copy a built table (nodes, edges, communities) of a period to a file."""
    if table not in TABLES:
        typer.echo(f"error: unknown table {table!r}; choose one of {', '.join(TABLES)}",
                   err=True)
        raise typer.Exit(2)
    root = out or communities_root(Settings().state_dir)
    source = root / period / f"{table}.{file_format.value}"
    if not source.is_file():
        typer.echo(f"error: {source} does not exist; run `chatlake communities build "
                   f"--period {period}` first", err=True)
        raise typer.Exit(1)
    shutil.copyfile(source, output)
    typer.echo(f"{table} ({period}) -> {output}")
