"""Who runs: long-running commands record themselves, `chatlake status` finds every one with its
health and metrics URL."""

import os

from chatlake.embedded import processes, services
from core import metrics
from core.settings import Settings
from tests.support import free_port


def test_long_running_commands_are_named_for_their_service():
    assert services.long_running(["archive"]) == "archiver"
    assert services.long_running(["api", "serve", "--port", "1"]) == "api"
    assert services.long_running(["detector", "run", "--fresh"]) == "detector"
    assert services.long_running(["monitor", "once"]) is None
    assert services.long_running(["status"]) is None
    assert services.service_of("demo-ingest") == "ingest"
    assert services.service_of("clipper@123") == "clipper"


def test_a_recorded_process_is_listed_with_its_health_and_metrics(tmp_path):
    port = free_port()
    settings = Settings(state_dir=tmp_path, metrics={"clipper_port": port})
    services.announce(settings, "clipper", ["clipper"])
    server = metrics.serve("127.0.0.1", port, ready=lambda: {"token": True})
    try:
        (record,) = services.running_records(settings)
        assert record.pid == os.getpid() and record.name == f"clipper@{os.getpid()}"
        shown = services.describe(settings, record)
        assert shown == {"health": "ready", "metrics": f"http://127.0.0.1:{port}/metrics"}
    finally:
        server.close()
    assert services.describe(settings, record)["health"] == "down"


def test_a_named_record_wins_over_the_self_record_of_the_same_process(tmp_path):
    settings = Settings(state_dir=tmp_path)
    services.announce(settings, "ingest", ["ingest"])
    mine = processes.read_record(settings.run_dir, f"ingest@{os.getpid()}")
    processes.write_record(settings.run_dir, processes.ProcessRecord(
        "demo-ingest", mine.pid, mine.create_time, mine.command))
    assert [r.name for r in services.running_records(settings)] == ["demo-ingest"]


def test_records_of_processes_gone_are_dropped(tmp_path):
    settings = Settings(state_dir=tmp_path)
    processes.write_record(settings.run_dir, processes.ProcessRecord(
        "clipper@1", 1, 0.0, ["chatlake", "clipper"]))
    assert services.running_records(settings) == []
    assert not list(settings.run_dir.glob("*.pid"))
