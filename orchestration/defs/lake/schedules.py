import dagster as dg

from orchestration.defs.lake.jobs import lake_maintenance_job


def _run_config(*, current_day_only: bool, vacuum: bool) -> dict:
    return {"ops": {"lake__maintenance": {"config": {
        "current_day_only": current_day_only, "vacuum": vacuum}}}}


# Every hour, today's partitions (the archiver's small files of the last hour)...
lake_compaction_schedule = dg.ScheduleDefinition(
    name="lake_compaction_schedule", job=lake_maintenance_job, cron_schedule="35 * * * *",
    run_config=_run_config(current_day_only=True, vacuum=False),
    default_status=dg.DefaultScheduleStatus.RUNNING)

# ...and every night all partitions (yesterday's is closed now), then vacuum.
lake_vacuum_schedule = dg.ScheduleDefinition(
    name="lake_vacuum_schedule", job=lake_maintenance_job, cron_schedule="20 3 * * *",
    execution_timezone="UTC", run_config=_run_config(current_day_only=False, vacuum=True),
    default_status=dg.DefaultScheduleStatus.RUNNING)
