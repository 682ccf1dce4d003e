"""The Dagster side of the stream monitor: definitions load, the schedule's ticks, and the
job run against the stand-in (local Helix resource), Tansu and PostgreSQL."""

from datetime import UTC, datetime

import dagster as dg
import psycopg
import pytest

from core.settings import Settings
from orchestration.definitions import defs as definitions
from orchestration.definitions import load_project_defs
from orchestration.defs.resources import (
    KafkaResource,
    PostgresResource,
    StandInHelixResource,
    StreamMonitorResource,
    TwitchHelixResource,
    resources_from_settings,
)
from orchestration.defs.twitch.assets import FOLLOWED_CHANNELS, stream_monitor
from orchestration.defs.twitch.schedules import stream_monitor_schedule
from tests.standin.support import unique_channels


def test_definitions_load():
    loaded = definitions()
    dg.Definitions.validate_loadable(loaded)
    assert loaded.resolve_job_def("stream_monitor_job") is not None
    schedule = loaded.resolve_schedule_def("stream_monitor_schedule")
    assert schedule.cron_schedule == "*/2 * * * *"
    assert FOLLOWED_CHANNELS in loaded.resolve_asset_graph().get_all_asset_keys()


def test_helix_resource_is_chosen_from_settings(monkeypatch):
    monkeypatch.delenv("CHATLAKE_TWITCH_STANDIN_URL", raising=False)
    live = resources_from_settings(Settings(_env_file=None))["helix"]
    assert isinstance(live, TwitchHelixResource)
    local = resources_from_settings(
        Settings(_env_file=None, twitch={"standin_url": "http://127.0.0.1:1"}))["helix"]
    assert isinstance(local, StandInHelixResource)
    assert local.endpoint().helix_url == "http://127.0.0.1:1/helix/"


def test_schedule_ticks_have_deterministic_run_keys():
    tick = datetime(2025, 3, 1, 18, 42, tzinfo=UTC)
    first = stream_monitor_schedule(dg.build_schedule_context(scheduled_execution_time=tick))
    again = stream_monitor_schedule(dg.build_schedule_context(scheduled_execution_time=tick))
    assert first.run_key == again.run_key == "stream-monitor-20250301T1842"


def local_resources(standin, dsn: str, servers: str, tmp_path) -> dict:
    return {**resources_from_settings(Settings(_env_file=None, state_dir=tmp_path)),
            "helix": StandInHelixResource(base_url=standin.base_url),
            "postgres": PostgresResource(dsn=dsn),
            "kafka": KafkaResource(bootstrap_servers=servers),
            "stream_monitor": StreamMonitorResource()}


@pytest.mark.integration
def test_schedule_runs_the_monitor_job(twitch_standin, postgres_server, kafka_broker, tmp_path):
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute("truncate monitor_follows, monitor_events")
    ids = unique_channels(12)
    twitch_standin.set_streams([{"user_id": c, "user_login": f"login{c}"} for c in ids])
    loaded = dg.Definitions.merge(
        load_project_defs(),
        dg.Definitions(resources=local_resources(twitch_standin, postgres_server, kafka_broker,
                                                 tmp_path)))
    tick = datetime(2025, 3, 1, 18, 44, tzinfo=UTC)
    with dg.instance_for_test() as instance:
        request = loaded.resolve_schedule_def("stream_monitor_schedule").evaluate_tick(
            dg.build_schedule_context(instance=instance, scheduled_execution_time=tick))
        [run] = request.run_requests
        job = loaded.resolve_job_def("stream_monitor_job")
        result = job.execute_in_process(run_config=run.run_config, tags=run.tags,
                                        instance=instance)
    assert result.success
    [followed, _lifecycle] = result.asset_materializations_for_node("stream_monitor")
    assert followed.metadata["followed_count"].value == 5
    assert followed.metadata["joined"].value == 5
    assert "entered the top 5" in followed.metadata["changes"].value


@pytest.mark.integration
def test_materializing_twice_is_idempotent(twitch_standin, postgres_server, kafka_broker,
                                           tmp_path):
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute("truncate monitor_follows, monitor_events")
    ids = unique_channels(8)
    twitch_standin.set_streams([{"user_id": c, "user_login": f"login{c}"} for c in ids])
    resources = local_resources(twitch_standin, postgres_server, kafka_broker, tmp_path)
    first = dg.materialize([stream_monitor], resources=resources)
    second = dg.materialize([stream_monitor], resources=resources)
    meta = [r.asset_materializations_for_node("stream_monitor")[0].metadata
            for r in (first, second)]
    assert [m["followed_count"].value for m in meta] == [5, 5]
    assert [m["joined"].value for m in meta] == [5, 0]
    with psycopg.connect(postgres_server) as conn:
        assert conn.execute("select count(*) from monitor_follows").fetchone() == (5,)
