"""The retention asset and its nightly schedule: raw partitions past each dataset's limit
(CHATLAKE_RETENTION_DAYS_*) removed; logic in warehouse/retention.py."""

from datetime import UTC, datetime

import dagster as dg

from orchestration.defs.resources import LakeResource
from warehouse.retention import apply_retention

LAKE_RETENTION = dg.AssetKey(["lake", "retention"])


@dg.asset(key=LAKE_RETENTION, group_name="lake", kinds={"delta"},
          description="Partitions of the raw lake tables older than their retention "
          "(CHATLAKE_RETENTION_DAYS_<DATASET>) deleted, one commit per table; the marts keep "
          "their aggregates. The files go at the next vacuum.")
def lake_retention(context: dg.AssetExecutionContext, lake: LakeResource) -> dg.MaterializeResult:
    results = apply_retention(lake.store(), dict(lake.retention_days), datetime.now(UTC).date())
    metadata: dict[str, dg.MetadataValue] = {}
    for result in results:
        context.log.info(f"{result.table}: {result.rows_deleted} rows before {result.cutoff}")
        metadata[f"{result.table}_rows_deleted"] = dg.MetadataValue.int(result.rows_deleted)
        metadata[f"{result.table}_cutoff"] = dg.MetadataValue.text(result.cutoff.isoformat())
    return dg.MaterializeResult(metadata=metadata)


lake_retention_job = dg.define_asset_job(
    "lake_retention_job", selection=dg.AssetSelection.assets(LAKE_RETENTION),
    description="Delete raw partitions past their retention.")

# Nightly, before the vacuum (03:20), so the vacuum removes the files once readers are past.
lake_retention_schedule = dg.ScheduleDefinition(
    name="lake_retention_schedule", job=lake_retention_job, cron_schedule="5 3 * * *",
    execution_timezone="UTC", default_status=dg.DefaultScheduleStatus.RUNNING)
