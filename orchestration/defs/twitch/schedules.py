import dagster as dg

from orchestration.defs.twitch.jobs import stream_monitor_job


@dg.schedule(job=stream_monitor_job, cron_schedule="*/2 * * * *", execution_timezone="UTC",
             default_status=dg.DefaultScheduleStatus.RUNNING)
def stream_monitor_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    """Every 2 minutes; the run key is the tick's time, so a re-evaluated tick never runs twice."""
    tick = context.scheduled_execution_time
    return dg.RunRequest(run_key=f"stream-monitor-{tick:%Y%m%dT%H%M}" if tick else None)
