"""The maintenance asset: compact the lake's tables (and vacuum them when asked), the results
of each table as materialization metadata."""

import dagster as dg

from orchestration.defs.resources import LakeResource
from warehouse.lake_maintenance import optimize, vacuum

LAKE_MAINTENANCE = dg.AssetKey(["lake", "maintenance"])


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
