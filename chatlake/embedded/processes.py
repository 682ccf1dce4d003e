"""Detached child processes we can find again, recognise and stop.

A child runs in its own session (so a terminal's Ctrl-C or a closed shell does not reach it),
logs to `<log_dir>/<name>.log`, and is remembered in `<run_dir>/<name>.pid` as JSON holding its
pid and create time. The create time is what makes a pid file safe: a pid the kernel has since
handed to an unrelated process never matches, so we never signal a stranger.
"""

import contextlib
import json
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil

# Popen objects of children started by this interpreter. Holding them lets us reap a child that
# exits while we are still alive (tests, fixtures) instead of leaving a zombie that looks alive.
_children: dict[int, subprocess.Popen] = {}


class PortInUseError(RuntimeError):
    """A port we want to listen on is already taken by something that is not ours."""


class StartupError(RuntimeError):
    """A child process did not come up; the message says where its log is."""


@dataclass(frozen=True)
class ProcessRecord:
    name: str
    pid: int
    create_time: float
    command: list[str]
    endpoint: str | None = None


def pid_file(run_dir: Path, name: str) -> Path:
    return run_dir / f"{name}.pid"


def log_file(log_dir: Path, name: str) -> Path:
    return log_dir / f"{name}.log"


def start_detached(
    name: str,
    command: Sequence[str],
    *,
    run_dir: Path,
    log_dir: Path,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    endpoint: str | None = None,
) -> ProcessRecord:
    """Start `command` in a new session and record it in `<run_dir>/<name>.pid`."""
    run_dir.mkdir(parents=True, exist_ok=True)
    log_dir.mkdir(parents=True, exist_ok=True)
    _stop_ignoring_signals()
    with log_file(log_dir, name).open("ab") as log:
        child = subprocess.Popen(
            list(command),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            start_new_session=True,
        )
    _children[child.pid] = child
    record = ProcessRecord(
        name=name,
        pid=child.pid,
        create_time=psutil.Process(child.pid).create_time(),
        command=list(command),
        endpoint=endpoint,
    )
    write_record(run_dir, record)
    return record


def _stop_ignoring_signals() -> None:
    """An ignored SIGINT/SIGTERM survives exec (a parent started with `nohup` or `&` has one),
    and some services then ignore our SIGTERM too. Handled signals are reset by exec, so the
    parent stops ignoring them before it starts a child. (A preexec_fn would do this in the
    child, but running Python between fork and exec can crash when other threads exist.)"""
    if threading.current_thread() is not threading.main_thread():
        return
    for signum, handler in ((signal.SIGINT, signal.default_int_handler),
                            (signal.SIGTERM, signal.SIG_DFL), (signal.SIGHUP, signal.SIG_DFL)):
        if signal.getsignal(signum) == signal.SIG_IGN:
            signal.signal(signum, handler)


def write_record(run_dir: Path, record: ProcessRecord) -> None:
    run_dir.mkdir(parents=True, exist_ok=True)
    target = pid_file(run_dir, record.name)
    scratch = target.with_suffix(".pid.tmp")
    scratch.write_text(json.dumps(asdict(record)))
    scratch.replace(target)  # atomic: a reader never sees half a record


def read_record(run_dir: Path, name: str) -> ProcessRecord | None:
    """The recorded process, or None when there is no pid file or it cannot be parsed."""
    try:
        return ProcessRecord(**json.loads(pid_file(run_dir, name).read_text()))
    except (FileNotFoundError, ValueError, TypeError):
        return None


def is_alive(pid: int, create_time: float) -> bool:
    """True when `pid` is still the very process that was recorded (and not a zombie)."""
    _reap(pid)
    try:
        process = psutil.Process(pid)
        # create_time is rounded differently across reads; a reused pid is off by far more.
        same = abs(process.create_time() - create_time) < 0.05
        return same and process.status() != psutil.STATUS_ZOMBIE
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False


def running(run_dir: Path, name: str) -> ProcessRecord | None:
    """The live process recorded under `name`; a stale or unreadable pid file is removed."""
    path = pid_file(run_dir, name)
    record = read_record(run_dir, name)
    if record is not None and is_alive(record.pid, record.create_time):
        return record
    path.unlink(missing_ok=True)
    return None


def stop(run_dir: Path, name: str, *, timeout: float = 10.0) -> ProcessRecord | None:
    """SIGTERM the recorded process group, wait, then SIGKILL. Returns what was stopped, if any."""
    record = running(run_dir, name)
    if record is not None:
        terminate_group(record.pid, record.create_time, timeout=timeout)
    pid_file(run_dir, name).unlink(missing_ok=True)
    return record


def terminate_group(pid: int, create_time: float, *, timeout: float = 10.0) -> None:
    """Stop a session leader and everything it started, politely first."""
    try:
        leader = psutil.Process(pid)
        family = [leader, *leader.children(recursive=True)]
    except psutil.NoSuchProcess:
        return
    _signal_group(pid, signal.SIGTERM)
    if not wait_until(lambda: not any(map(_is_live, family)), timeout=timeout):
        _signal_group(pid, signal.SIGKILL)
        # Children that moved to their own session (PostgreSQL's workers do) miss the group kill.
        for process in filter(_is_live, family):
            with contextlib.suppress(psutil.NoSuchProcess):
                process.kill()
        wait_until(lambda: not any(map(_is_live, family)), timeout=5.0)


def _is_live(process: psutil.Process) -> bool:
    _reap(process.pid)
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _signal_group(pid: int, signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signum)  # children share the leader's group (start_new_session)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, signum)  # in case the leader moved itself into another group


def _reap(pid: int) -> None:
    child = _children.get(pid)
    if child is not None and child.poll() is not None:
        del _children[pid]


def wait_until(condition: Callable[[], bool], *, timeout: float, interval: float = 0.05) -> bool:
    """Poll `condition` until it holds or `timeout` seconds pass; True when it held."""
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # SO_REUSEADDR like a real server: ignores TIME_WAIT leftovers, still fails on a listener.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def ensure_port_free(port: int, wanted_by: str, host: str = "127.0.0.1") -> None:
    if not port_is_free(port, host):
        raise PortInUseError(
            f"port {port} on {host} is already in use; {wanted_by} needs it "
            f"(stop whatever holds it or choose another port)"
        )


def port_accepts(port: int, host: str = "127.0.0.1", timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def log_tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return ""
