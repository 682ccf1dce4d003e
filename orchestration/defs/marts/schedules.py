import dagster as dg

from orchestration.defs.marts.jobs import marts_job

# Hourly, a few minutes past the hour so the last hour's chat is in the lake; off until an
# operator turns it on (a build holds the warehouse file's write lock for its duration).
marts_schedule = dg.ScheduleDefinition(
    name="marts_schedule", job=marts_job, cron_schedule="5 * * * *",
    default_status=dg.DefaultScheduleStatus.STOPPED)
