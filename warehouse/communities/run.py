"""A communities build from the published marts file to its output folder: what the CLI and
the Dagster asset both call."""

from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from warehouse.communities.build import Communities, CommunitySettings, find_communities
from warehouse.communities.inputs import (
    PERIODS,
    channel_logins,
    channel_tags,
    check_period,
    period_edges,
    period_end,
)
from warehouse.communities.maps import write_maps
from warehouse.communities.outputs import previous_assignment, write_outputs


class CommunitiesInputError(RuntimeError):
    pass


@dataclass(frozen=True)
class CommunitiesRun:
    result: Communities
    folder: Path
    summary: dict


def build_communities(marts_path: Path, out_root: Path, period: str,
                      settings: CommunitySettings,
                      extra_tags: pl.DataFrame | None = None) -> CommunitiesRun:
    """Read one period's overlap from the marts, find its communities, write them under
    `<out_root>/<period>/`. `extra_tags` (e.g. the monitor's streams, stream_tags.py) add
    to what the marts say channels stream."""
    check_period(period)
    if not marts_path.is_file():
        raise CommunitiesInputError(f"no marts file at {marts_path}; run `chatlake marts build`")
    with duckdb.connect(str(marts_path), read_only=True) as con:
        try:
            edges = period_edges(con, period)
        except duckdb.CatalogException:
            raise CommunitiesInputError(
                f"{marts_path} has no marts.channel_overlap_periods; run `chatlake marts "
                "build --full`") from None
        end, tags, logins = period_end(con), channel_tags(con), channel_logins(con)
    if extra_tags is not None:
        tags = pl.concat([tags, extra_tags.select(tags.columns).cast(tags.schema)])
    folder = out_root / period
    previous = previous_assignment(folder, end, PERIODS[period])
    result = find_communities(edges, settings, tags=tags, previous=previous, logins=logins)
    summary = write_outputs(result, folder, period=period, period_end=end)
    write_maps(result, folder, f"chatlake communities, {period} ending {end}")
    return CommunitiesRun(result, folder, summary)


def communities_root(state_dir: Path) -> Path:
    """Where builds write by default: `<state>/communities/<period>/`."""
    return state_dir.resolve() / "communities"
