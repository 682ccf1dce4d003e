"""Newly landed data, picked up: every minute the lake's tables are compared with what the
published marts build read, and each UTC day that changed is asked for as a partition run.
A run key per day and lake version keeps a day from being asked for twice for one change."""

import json
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from orchestration.defs.marts.jobs import marts_job
from orchestration.defs.resources import LakeResource, WarehouseResource
from warehouse.marts_build import plan_build
from warehouse.marts_file import MartsFile


@dg.sensor(job=marts_job, minimum_interval_seconds=60,
           default_status=dg.DefaultSensorStatus.RUNNING,
           description="Rebuild the marts' days that changed in the lake (a late import of "
           "an old VOD rebuilds only its days); the first build of all builds everything.")
def lake_changes_sensor(context: dg.SensorEvaluationContext, lake: LakeResource,
                        warehouse: WarehouseResource) -> dg.SensorResult:
    plan = plan_build(lake.store(), MartsFile(Path(warehouse.path)))
    versions = json.dumps(plan.lake_versions, sort_keys=True)
    if not plan.lake_versions:
        return dg.SensorResult(skip_reason="the lake has no tables yet")
    # No published build: any one partition builds everything; today's is as good as any.
    days = plan.days if plan.days is not None else (datetime.now(UTC).date(),)
    if not days:
        return dg.SensorResult(skip_reason="the marts are up to date with the lake")
    return dg.SensorResult(run_requests=[
        dg.RunRequest(partition_key=day.isoformat(), run_key=f"{day.isoformat()}@{versions}")
        for day in days])
