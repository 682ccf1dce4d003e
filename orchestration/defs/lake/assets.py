"""The maintenance asset: compact the lake's tables (and vacuum them when asked), the results
of each table as materialization metadata; and the lake's copy of PostgreSQL's emote sets, which
the marts read as the dbt source `lake.channel_emotes`."""

import dagster as dg

from orchestration.defs.resources import LakeResource, PostgresResource
from warehouse import channel_emotes
from warehouse.lake_maintenance import optimize, vacuum
from warehouse.postgres import connect

LAKE_MAINTENANCE = dg.AssetKey(["lake", "maintenance"])
LAKE_CHANNEL_EMOTES = dg.AssetKey(["lake", channel_emotes.TABLE])


class MaintenanceConfig(dg.Config):
    # Only today's partitions: the hourly run, while the archiver keeps adding small files.
    current_day_only: bool = False
    vacuum: bool = False


@dg.asset(key=LAKE_MAINTENANCE, group_name="lake", kinds={"delta"},
          description="Compaction (optimize) of the lake's tables, and vacuum of the files "
          "they no longer need (older than the retention).")
def lake_maintenance(context: dg.AssetExecutionContext, config: MaintenanceConfig,
                     lake: LakeResource) -> dg.MaterializeResult:
    store = lake.store()
    metadata: dict[str, dg.MetadataValue] = {}
    for result in optimize(store, current_day_only=config.current_day_only):
        context.log.info(f"{result.table}: {result.files_removed} files -> "
                         f"{result.files_added}")
        metadata[f"{result.table}_optimize"] = dg.MetadataValue.json(result.as_metadata())
    if config.vacuum:
        for cleaned in vacuum(store, lake.vacuum_retention_hours):
            metadata[f"{cleaned.table}_vacuum_files_deleted"] = dg.MetadataValue.int(
                cleaned.files_deleted)
    return dg.MaterializeResult(metadata=metadata)


@dg.asset(key=LAKE_CHANNEL_EMOTES, group_name="lake", kinds={"delta", "postgres"},
          description="lake/channel_emotes: each channel's 7TV/BTTV/FFZ emotes and when they "
          "were in its set, copied whole from PostgreSQL (also written whenever a snapshot is "
          "stored); the marts count third-party emotes from it.")
def lake_channel_emotes(postgres: PostgresResource, lake: LakeResource) -> dg.MaterializeResult:
    with connect(postgres.dsn) as conn:
        rows = channel_emotes.copy_to_lake(conn, lake.store())
    return dg.MaterializeResult(metadata={"rows": dg.MetadataValue.int(rows)})
