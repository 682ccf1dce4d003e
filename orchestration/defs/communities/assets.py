"""The communities asset: Leiden over the published marts' overlap periods, files and maps
under `<state>/communities/<period>/` (warehouse/communities/run.py does the work).

Partitioned like the marts (UTC days), so a marts partition run can be followed by the same
partition of this asset; the periods end at the newest day in the published marts, whatever
the partition, and a rerun replaces the files (the kept assignment of that end day too)."""

from pathlib import Path

import dagster as dg
import psycopg
from pydantic import Field

from orchestration.defs.marts.assets import MARTS_DAYS
from orchestration.defs.resources import PostgresResource, WarehouseResource
from warehouse.communities.build import CommunitySettings
from warehouse.communities.run import CommunitiesInputError, build_communities
from warehouse.communities.stream_tags import stream_tags

CHANNEL_COMMUNITIES = dg.AssetKey(["communities", "channel_communities"])
OVERLAP_PERIODS = dg.AssetKey(["marts", "channel_overlap_periods"])


class CommunitiesConfig(dg.Config):
    periods: list[str] = Field(default_factory=lambda: ["7d", "30d", "all"])
    weight: str = "jaccard_index"
    resolution: float = 1.0
    seed: int = 42


@dg.asset(key=CHANNEL_COMMUNITIES, deps=[OVERLAP_PERIODS], group_name="communities",
          partitions_def=MARTS_DAYS, kinds={"python", "parquet"},
          description="Channel communities (Leiden) per overlap period: nodes, edges, "
          "communities as Parquet/CSV, a PNG and an HTML map.")
def channel_communities(context: dg.AssetExecutionContext, config: CommunitiesConfig,
                        warehouse: WarehouseResource,
                        postgres: PostgresResource) -> dg.MaterializeResult:
    marts_path = Path(warehouse.path)
    try:  # labels: the games and languages the stream monitor saw
        tags = stream_tags(postgres.dsn)
    except psycopg.Error as error:
        context.log.warning(f"no community labels: PostgreSQL unreachable ({error})")
        tags = None
    settings = CommunitySettings(config.weight, config.resolution, config.seed)
    summaries = {}
    for period in config.periods:
        try:
            run = build_communities(marts_path, marts_path.parent / "communities", period,
                                    settings, tags)
        except (CommunitiesInputError, ValueError) as error:
            raise dg.Failure(str(error)) from None
        summaries[period] = run.summary
        context.log.info(f"communities {period}: {run.summary['communities']} communities, "
                         f"modularity {run.summary['modularity']:.4f}")
    return dg.MaterializeResult(metadata={
        f"{period}_{key}": dg.MetadataValue.float(float(summary[key]))
        for period, summary in summaries.items()
        for key in ("modularity", "random_partition_modularity", "channels", "communities")})
