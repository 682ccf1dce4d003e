"""Detached children: recorded, recognised, stopped; ports checked."""

import os
import socket
import sys

import psutil
import pytest

from chatlake.embedded import processes

pytestmark = pytest.mark.integration

# A child that starts a grandchild in the same process group and ignores SIGTERM itself.
STUBBORN = """
import signal, subprocess, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
print("ready", flush=True)
time.sleep(600)
"""


def test_start_records_the_child_and_stop_ends_it(tmp_path):
    record = processes.start_detached(
        "sleeper",
        [sys.executable, "-c", "import time; print('hello', flush=True); time.sleep(600)"],
        run_dir=tmp_path / "run",
        log_dir=tmp_path / "logs",
        endpoint="somewhere:1",
    )
    assert processes.read_record(tmp_path / "run", "sleeper") == record
    assert processes.running(tmp_path / "run", "sleeper") == record
    assert os.getsid(record.pid) == record.pid  # its own session: a closed terminal cannot reach it
    assert processes.wait_until(
        lambda: "hello" in processes.log_tail(tmp_path / "logs" / "sleeper.log"), timeout=30
    )

    stopped = processes.stop(tmp_path / "run", "sleeper", timeout=10)

    assert stopped == record
    assert not processes.is_alive(record.pid, record.create_time)
    assert not (tmp_path / "run" / "sleeper.pid").exists()


def test_stop_kills_what_ignores_sigterm_and_its_children(tmp_path):
    record = processes.start_detached(
        "stubborn", [sys.executable, "-c", STUBBORN], run_dir=tmp_path, log_dir=tmp_path
    )
    assert processes.wait_until(
        lambda: "ready" in processes.log_tail(tmp_path / "stubborn.log"), timeout=30
    )
    family = [psutil.Process(record.pid), *psutil.Process(record.pid).children(recursive=True)]
    assert len(family) == 2

    processes.stop(tmp_path, "stubborn", timeout=1)

    for process in family:
        assert not processes.is_alive(process.pid, process.create_time())


def test_a_record_with_another_create_time_is_not_ours(tmp_path):
    me = psutil.Process()
    processes.write_record(
        tmp_path, processes.ProcessRecord("me", me.pid, me.create_time() - 100, ["x"])
    )
    assert not processes.is_alive(me.pid, me.create_time() - 100)
    assert processes.stop(tmp_path, "me") is None
    assert not (tmp_path / "me.pid").exists()
    assert me.is_running()


def test_port_check_names_the_port_and_its_user():
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        assert not processes.port_is_free(port)
        with pytest.raises(processes.PortInUseError, match=rf"port {port}\b.*the thing"):
            processes.ensure_port_free(port, "the thing")
    assert processes.port_is_free(port)
