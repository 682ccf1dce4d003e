"""A build's files: nodes, edges and communities as Parquet and CSV, a summary, and the
period's node assignment kept by day so the next build can say where channels were.

    <folder>/nodes.{parquet,csv}  edges.{...}  communities.{...}  summary.json
    <folder>/history/<period end day>.parquet   broadcaster_id, community
"""

import json
from datetime import date, timedelta
from pathlib import Path

import polars as pl

from warehouse.communities.build import Communities

TABLES = ("nodes", "edges", "communities")


def write_outputs(result: Communities, folder: Path, *, period: str,
                  period_end: date | None) -> dict:
    """Write every file (each to a temporary name, then renamed: a reader never sees half a
    file) and return the summary."""
    folder.mkdir(parents=True, exist_ok=True)
    frames = {"nodes": result.nodes, "edges": result.edges, "communities": result.communities}
    for name, frame in frames.items():
        _replace(folder / f"{name}.parquet", lambda p, f=frame: f.write_parquet(p))
        _replace(folder / f"{name}.csv", lambda p, f=frame: _csv_ready(f).write_csv(p))
    summary = {
        "period": period, "period_end": period_end.isoformat() if period_end else None,
        "channels": result.nodes.height, "edges": result.edges.height,
        "communities": result.communities.height, "modularity": result.modularity,
        "random_partition_modularity": result.random_modularity,
        "weight": result.settings.weight, "resolution": result.settings.resolution,
        "seed": result.settings.seed}
    _replace(folder / "summary.json",
             lambda p: Path(p).write_text(json.dumps(summary, indent=2) + "\n"))
    if period_end is not None:
        history = folder / "history"
        history.mkdir(exist_ok=True)
        assignment = result.nodes.select("broadcaster_id", "community")
        _replace(history / f"{period_end.isoformat()}.parquet",
                 lambda p: assignment.write_parquet(p))
    return summary


def previous_assignment(folder: Path, period_end: date | None,
                        period_days: int | None) -> pl.DataFrame | None:
    """The newest kept assignment of a period that ended at least `period_days` before this
    one (a week earlier for `7d`; any earlier day for `all`); None when there is none."""
    history = folder / "history"
    if period_end is None or not history.is_dir():
        return None
    latest = period_end - timedelta(days=period_days or 1)
    kept = sorted(day for day in (_day(p.stem) for p in history.glob("*.parquet"))
                  if day is not None and day <= latest)
    if not kept:
        return None
    return pl.read_parquet(history / f"{kept[-1].isoformat()}.parquet")


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _csv_ready(frame: pl.DataFrame) -> pl.DataFrame:
    """CSV has no lists: games and languages become "a; b"."""
    return frame.with_columns(pl.col(c).list.join("; ") for c, dtype in frame.schema.items()
                              if isinstance(dtype, pl.List))


def _replace(path: Path, write) -> None:
    temporary = path.with_name(path.name + ".tmp")
    write(temporary)
    temporary.replace(path)
