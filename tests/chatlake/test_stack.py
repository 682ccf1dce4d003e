"""`chatlake up` / `status` / `down` run as a user would, as separate processes."""

import json
import os
import shlex
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import psycopg
import pytest
from chatlake_contracts.topics import TOPICS

from chatlake.embedded import kafka, processes
from tests.support import free_port, reachable_tmp_dir
from warehouse.postgres import migrations

pytestmark = pytest.mark.integration

FAKE_ARCHIVER = Path(__file__).parent / "fake_archiver.py"


@dataclass
class Stack:
    state_dir: Path
    kafka_port: int
    postgres_port: int
    env: dict[str, str]

    @property
    def data_dir(self) -> Path:
        return self.state_dir / "postgres" / "data"

    @property
    def archiver_env_file(self) -> Path:
        return self.state_dir / "archiver-env.json"

    def chatlake(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "chatlake.cli", *args],
            env=self.env,
            cwd=self.state_dir.parent,  # away from the project's .env
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )

    def status(self) -> dict[str, list[str]]:
        result = self.chatlake("status")
        assert result.returncode == 0, result.stderr
        rows = [line.split() for line in result.stdout.splitlines()[1:] if line.strip()]
        return {row[0]: row[1:] for row in rows}


def make_stack(archiver_command: str | None = None) -> Stack:
    state_dir = reachable_tmp_dir("chatlake-stack-") / "state"
    state_dir.mkdir()
    stack = Stack(state_dir, free_port(), free_port(), {})
    env = {key: value for key, value in os.environ.items() if not key.startswith("CHATLAKE_")}
    env.update(
        CHATLAKE_STATE_DIR=str(state_dir),
        CHATLAKE_KAFKA_PORT=str(stack.kafka_port),
        CHATLAKE_POSTGRES_PORT=str(stack.postgres_port),
        CHATLAKE_API_PORT=str(free_port()),
        # The PyFlink detector has its own test below; the others need not wait for a JVM.
        CHATLAKE_DETECTOR_IN_UP="false",
        CHATLAKE_ARCHIVER_COMMAND=archiver_command
        or shlex.join([sys.executable, str(FAKE_ARCHIVER), str(stack.archiver_env_file)]),
    )
    stack.env = env
    return stack


def processes_of(stack: Stack) -> list[psutil.Process]:
    """Live processes whose command line points at this stack's folder or ports."""
    markers = (str(stack.state_dir), f"127.0.0.1:{stack.kafka_port}")
    found = []
    for process in psutil.process_iter(["cmdline", "status"]):
        if process.info["status"] == psutil.STATUS_ZOMBIE:
            continue  # this machine's init does not reap orphans; a zombie runs nothing
        command = " ".join(process.info["cmdline"] or [])
        if process.pid != os.getpid() and any(marker in command for marker in markers):
            found.append(process)
    return found


def all_gone(pids: list[tuple[int, float]]) -> bool:
    return not any(processes.is_alive(pid, created) for pid, created in pids)


def tear_down(stack: Stack) -> None:
    stack.chatlake("down")
    for leftover in processes_of(stack):  # never leave a process behind, even when a test failed
        leftover.kill()
    shutil.rmtree(stack.state_dir.parent, ignore_errors=True)


@pytest.fixture(scope="module")
def running_stack() -> Iterator[tuple[Stack, subprocess.CompletedProcess]]:
    stack = make_stack()
    try:
        yield stack, stack.chatlake("up")
    finally:
        tear_down(stack)


def test_up_starts_kafka_with_all_topics(running_stack):
    stack, up = running_stack
    assert up.returncode == 0, up.stdout + up.stderr
    assert kafka.list_topics(f"127.0.0.1:{stack.kafka_port}") == TOPICS


def test_up_starts_migrated_postgres_on_tcp(running_stack):
    stack, up = running_stack
    assert up.returncode == 0, up.stdout + up.stderr
    dsn = f"postgresql://chatlake@127.0.0.1:{stack.postgres_port}/chatlake"
    with psycopg.connect(dsn, connect_timeout=5) as conn:
        tables = {row[0] for row in conn.execute("select tablename from pg_tables")}
        clip_columns = {
            row[0]
            for row in conn.execute(
                "select column_name from information_schema.columns where table_name = 'clips'"
            )
        }
        versions = [row[0] for row in conn.execute("select version from schema_migrations")]
        listen = conn.execute("show listen_addresses").fetchone()[0]
    assert {"streamers", "clips", "schema_migrations"} <= tables
    assert {"status", "window_start", "window_end", "message_count", "attempts"} <= clip_columns
    assert sorted(versions) == [m.version for m in migrations()]
    assert listen == "127.0.0.1"


def test_archiver_gets_the_same_settings(running_stack):
    stack, up = running_stack
    assert up.returncode == 0, up.stdout + up.stderr
    assert processes.wait_until(stack.archiver_env_file.exists, timeout=30)
    seen = json.loads(stack.archiver_env_file.read_text())
    assert seen["CHATLAKE_KAFKA_PORT"] == str(stack.kafka_port)
    assert seen["CHATLAKE_POSTGRES_PORT"] == str(stack.postgres_port)
    assert Path(seen["CHATLAKE_STATE_DIR"]) == stack.state_dir.resolve()


def test_status_shows_every_part_running(running_stack):
    stack, _ = running_stack
    parts = stack.status()
    assert parts["kafka"][0] == "running"
    assert parts["kafka"][2] == f"127.0.0.1:{stack.kafka_port}"
    assert parts["postgres"][0] == "running"
    assert parts["postgres"][2] == f"127.0.0.1:{stack.postgres_port}"
    assert parts["archiver"][0] == "running"
    for part in ("kafka", "postgres", "archiver"):
        assert psutil.pid_exists(int(parts[part][1]))


def test_up_again_starts_nothing_twice(running_stack):
    stack, _ = running_stack
    before = stack.status()
    again = stack.chatlake("up")
    assert again.returncode == 0, again.stdout + again.stderr
    assert again.stdout.count("already running") == 4
    assert stack.status() == before
    assert len([p for p in processes_of(stack) if "tansu" in " ".join(p.cmdline())]) == 1


def test_down_leaves_no_process_behind():
    stack = make_stack()
    try:
        up = stack.chatlake("up")
        assert up.returncode == 0, up.stdout + up.stderr
        parts = stack.status()
        ours = [int(parts[part][1]) for part in ("kafka", "postgres", "archiver")]
        # PostgreSQL's workers rename themselves; find them through the postmaster.
        ours += [child.pid for child in psutil.Process(ours[1]).children(recursive=True)]
        identities = [(pid, psutil.Process(pid).create_time()) for pid in ours]
        assert processes_of(stack), "the scan should see the running stack"

        down = stack.chatlake("down")

        assert down.returncode == 0, down.stdout + down.stderr
        assert processes.wait_until(lambda: all_gone(identities), timeout=30)
        assert processes_of(stack) == []
        assert not (stack.data_dir / "postmaster.pid").exists()
        assert set(stack.status()) == {"kafka", "postgres", "archiver", "api"}
        assert {state[0] for state in stack.status().values()} == {"stopped"}
    finally:
        tear_down(stack)


def test_down_after_a_partial_up_stops_what_started():
    stack = make_stack(archiver_command=shlex.join([sys.executable, "-c", "raise SystemExit(3)"]))
    try:
        up = stack.chatlake("up")
        assert up.returncode != 0
        assert "archiver exited" in up.stderr
        parts = stack.status()
        assert parts["kafka"][0] == "running"
        assert parts["postgres"][0] == "running"
        assert parts["archiver"][0] == "stopped"

        down = stack.chatlake("down")

        assert down.returncode == 0, down.stdout + down.stderr
        assert processes.wait_until(lambda: processes_of(stack) == [], timeout=30)
    finally:
        tear_down(stack)


@pytest.mark.parametrize("taken", ["kafka", "postgres"])
def test_a_taken_port_is_named_and_fails(taken):
    stack = make_stack()
    port = stack.kafka_port if taken == "kafka" else stack.postgres_port
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", port))
        squatter.listen()
        try:
            up = stack.chatlake("up")
            assert up.returncode != 0
            assert str(port) in up.stderr
            assert len(up.stderr.strip().splitlines()) == 1
            # Ports are checked before anything starts, so nothing is left running.
            assert processes_of(stack) == []
        finally:
            tear_down(stack)


def test_a_stale_pid_file_is_cleaned_and_never_signals_a_stranger():
    stack = make_stack()
    run_dir = stack.state_dir / "run"
    try:
        # Our own pid with another create time: what a pid reused after a reboot looks like.
        stale = processes.ProcessRecord("kafka", os.getpid(), 1.0, ["tansu"], "127.0.0.1:1")
        processes.write_record(run_dir, stale)
        (run_dir / "archiver.pid").write_text("not json")

        parts = stack.status()
        down = stack.chatlake("down")

        assert parts["kafka"][0] == "stopped"
        assert parts["archiver"][0] == "stopped"
        assert down.returncode == 0
        assert not (run_dir / "kafka.pid").exists()
        assert not (run_dir / "archiver.pid").exists()
        assert psutil.Process(os.getpid()).is_running()  # we are still here
    finally:
        tear_down(stack)


@pytest.mark.skipif(os.geteuid() != 0, reason="only root hands PostgreSQL to another user")
def test_a_state_folder_the_server_user_cannot_enter_fails_before_starting():
    stack = make_stack()
    locked = stack.state_dir / "locked"
    locked.mkdir(mode=0o700)
    stack.env["CHATLAKE_STATE_DIR"] = str(locked / "state")
    try:
        up = stack.chatlake("up")
        assert up.returncode != 0
        assert str(locked) in up.stderr
        assert processes_of(stack) == []
    finally:
        tear_down(stack)


def test_up_with_external_endpoints_starts_only_the_archiver(postgres_server):
    broker_dir = reachable_tmp_dir("chatlake-external-kafka-")
    broker_port = free_port()
    kafka.start(broker_port, run_dir=broker_dir, log_dir=broker_dir)  # no topics yet
    servers = f"127.0.0.1:{broker_port}"
    stack = make_stack()
    stack.env["CHATLAKE_KAFKA_BOOTSTRAP_SERVERS"] = servers
    stack.env["CHATLAKE_POSTGRES_DSN"] = postgres_server
    try:
        up = stack.chatlake("up")
        assert up.returncode == 0, up.stdout + up.stderr
        assert kafka.list_topics(servers) == TOPICS
        parts = stack.status()
        assert parts["kafka"][:3] == ["external", "-", servers]
        assert parts["kafka"][3] == "ok"  # health: it answers on its port
        assert parts["postgres"][0] == "external"
        assert parts["archiver"][0] == "running"
        assert not (stack.state_dir / "postgres").exists()
        assert [p for p in processes_of(stack) if "tansu" in " ".join(p.cmdline())] == []

        down = stack.chatlake("down")

        assert down.returncode == 0
        assert kafka.running(broker_dir) is not None  # not ours to stop
        assert processes.wait_until(lambda: processes_of(stack) == [], timeout=30)
    finally:
        tear_down(stack)
        kafka.stop(broker_dir)
        shutil.rmtree(broker_dir, ignore_errors=True)


@pytest.mark.slow
def test_up_starts_the_detector_and_down_stops_its_whole_process_tree():
    stack = make_stack()
    stack.env["CHATLAKE_DETECTOR_IN_UP"] = "true"
    try:
        up = stack.chatlake("up")
        assert up.returncode == 0, up.stdout + up.stderr
        assert "detector starting" in up.stdout
        detector_pid = int(stack.status()["detector"][1])
        detector = psutil.Process(detector_pid)

        def java_running() -> bool:  # the mini-cluster is a JVM under the detector command
            return any("java" in (child.name() or "")
                       for child in detector.children(recursive=True))

        assert processes.wait_until(java_running, timeout=300), "no Flink JVM started"
        tree = [detector, *detector.children(recursive=True)]
        identities = [(p.pid, p.create_time()) for p in tree]

        down = stack.chatlake("down")

        assert down.returncode == 0, down.stdout + down.stderr
        assert "detector: stopped" in down.stdout
        assert processes.wait_until(lambda: all_gone(identities), timeout=60)
        assert stack.status()["detector"][0] == "stopped"
    finally:
        tear_down(stack)


@pytest.mark.slow
def test_a_vod_imported_through_kafka_twice_lands_in_the_lake_once(shared_data):
    """The lake-tables acceptance: `up`, `import <lirik VOD> --to kafka` (twice), `sql`."""
    lirik = shared_data / "vod" / "lirik" / "lirik_389178879.chat.json.gz"
    stack = make_stack(archiver_command=shlex.join([sys.executable, "-m", "chatlake.cli",
                                                    "archive"]))
    count = "select count(*) from chat_messages"
    try:
        up = stack.chatlake("up")
        assert up.returncode == 0, up.stdout + up.stderr
        first = stack.chatlake("import", str(lirik), "--to", "kafka")
        assert first.returncode == 0 and "72448 messages -> kafka" in first.stderr
        assert processes.wait_until(
            lambda: stack.chatlake("sql", count).stdout.strip() == "72448", timeout=180,
            interval=2)
        again = stack.chatlake("import", str(lirik), "--to", "kafka")
        assert again.returncode == 0 and "already published" in again.stderr
        direct = stack.chatlake("import", str(lirik))  # and straight into the lake
        assert direct.returncode == 0, direct.stderr
        assert stack.chatlake("sql", count).stdout.strip() == "72448"
    finally:
        tear_down(stack)
