"""A PostgreSQL that chatlake did not start: Debian's PostgreSQL 15 (`/usr/lib/postgresql/15/bin`,
installed by `.ci/run` when absent), initialised and started here with its own `initdb` and
`pg_ctl`, as an unprivileged user when the tests run as root, on a free port, with a password.
Nothing of `chatlake.embedded` is used for it: the code under test only gets a DSN."""

import os
import pwd
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.support import free_port, reachable_tmp_dir

PG15 = Path("/usr/lib/postgresql/15/bin")
PASSWORD = "ext-secret"  # a throwaway test server's


def _run(command: list[str], user: pwd.struct_passwd | None) -> None:
    identity = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []} if user else {}
    env = {"PATH": "/usr/bin:/bin", "LC_ALL": "C", "TZ": "UTC"}
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300,
                            check=False, cwd="/", **identity)
    if result.returncode != 0:
        raise RuntimeError(f"{command[0]} failed:\n{result.stdout}\n{result.stderr}")


@pytest.fixture(scope="session")
def external_postgres() -> Iterator[str]:
    """DSN (with a password, over TCP) of an empty database `chatapp` on a PostgreSQL 15."""
    if not (PG15 / "pg_ctl").is_file():
        pytest.fail(f"PostgreSQL 15 is not installed at {PG15} (.ci/run installs `postgresql`)")
    user = pwd.getpwnam("nobody") if os.geteuid() == 0 else None
    root = reachable_tmp_dir("chatlake-pg15-")
    data = root / "data"
    password_file = root / "pw"
    password_file.write_text(PASSWORD + "\n")
    if user is not None:
        for path in (root, password_file):
            os.chown(path, user.pw_uid, user.pw_gid)
    port = free_port()
    _run([str(PG15 / "initdb"), f"--pgdata={data}", "--username=owner", "--auth=scram-sha-256",
          f"--pwfile={password_file}", "--no-instructions", "--encoding=UTF8", "--no-locale"],
         user)
    options = f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={root}"
    _run([str(PG15 / "pg_ctl"), "start", "-D", str(data), "-w", "-l", str(root / "pg.log"),
          "-o", options], user)
    try:
        admin = f"postgresql://owner:{PASSWORD}@127.0.0.1:{port}/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            assert conn.execute("show server_version").fetchone()[0].startswith("15.")
            conn.execute(f"create role chatapp login password '{PASSWORD}'")
            conn.execute("create database chatapp owner chatapp")
        yield f"postgresql://chatapp:{PASSWORD}@127.0.0.1:{port}/chatapp"
    finally:
        _run([str(PG15 / "pg_ctl"), "stop", "-D", str(data), "-m", "fast", "-w"], user)
        shutil.rmtree(root, ignore_errors=True)
