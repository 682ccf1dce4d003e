"""Helpers every suite may use: free ports, folders the embedded PostgreSQL can enter, where
the real chat data is, an S3 lake on a loopback server, and the session-wide Kafka and
PostgreSQL fixtures (registered for all
suites in tests/conftest.py), built on `chatlake.embedded`. Each server starts on a free port
in a fresh temporary folder and is removed afterwards.
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from chatlake_contracts.topics import TOPICS

from chatlake.embedded import kafka
from chatlake.embedded.postgres import EmbeddedPostgres
from core.settings import LakeSettings
from warehouse.lake_store import LakeStore
from warehouse.postgres import apply_migrations

REPO_ROOT = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path:
    """The real chat data: $CHATLAKE_SHARED_DATA, else ../shared/data beside the repository."""
    configured = os.environ.get("CHATLAKE_SHARED_DATA")
    return Path(configured) if configured else (REPO_ROOT / ".." / "shared" / "data").resolve()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def reachable_tmp_dir(prefix: str) -> Path:
    """A fresh folder under /tmp that every user can enter.

    As root the embedded PostgreSQL runs as `nobody`, which cannot enter pytest's own `tmp_path`
    (it lives under a 0700 folder), so server folders are made here instead.
    """
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    folder.chmod(0o755)
    return folder


@pytest.fixture(scope="session")
def kafka_broker() -> Iterator[str]:
    """Bootstrap servers of a Tansu broker that already has the contract topics."""
    root = reachable_tmp_dir("chatlake-kafka-")
    run_dir, log_dir = root / "run", root / "logs"
    port = free_port()
    try:
        kafka.start(port, run_dir=run_dir, log_dir=log_dir)
        servers = f"127.0.0.1:{port}"
        kafka.create_topics(servers, TOPICS)
        yield servers
    finally:
        kafka.stop(run_dir)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """DSN of a migrated `chatlake` database on a PostgreSQL of its own."""
    root = reachable_tmp_dir("chatlake-postgres-")
    server = EmbeddedPostgres(
        root=root / "postgres", port=free_port(), log_path=root / "logs" / "postgres.log"
    )
    try:
        server.start()
        apply_migrations(server.dsn())
        yield server.dsn()
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def private_broker() -> Iterator[str]:
    """A Tansu broker of this test alone (topics created), stopped afterwards."""
    root = reachable_tmp_dir("chatlake-kafka-")
    port = free_port()
    try:
        kafka.start(port, run_dir=root / "run", log_dir=root / "logs")
        servers = f"127.0.0.1:{port}"
        kafka.create_topics(servers, TOPICS)
        yield servers
    finally:
        kafka.stop(root / "run")
        shutil.rmtree(root, ignore_errors=True)


@dataclass(frozen=True)
class S3Lake:
    """A lake in a bucket of a real S3 API server on loopback (moto's server mode)."""

    uri: str
    env: dict[str, str]  # CHATLAKE_LAKE_* settings that point a chatlake process at it

    def store(self) -> LakeStore:
        return LakeStore.from_settings(LakeSettings(**{
            key.removeprefix("CHATLAKE_LAKE_").lower(): value for key, value in self.env.items()}))


@contextmanager
def s3_lake(bucket: str = "chatlake") -> Iterator[S3Lake]:
    """`python -m moto.server` on a free port with an empty bucket; stopped afterwards."""
    import boto3  # moto's dependency; only S3 tests need it

    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p",
                               str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        endpoint = f"http://127.0.0.1:{port}"
        client = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="testing",
                              aws_secret_access_key="testing", region_name="us-east-1")
        deadline = time.monotonic() + 60
        while True:
            try:
                client.create_bucket(Bucket=bucket)
                break
            except Exception:  # not listening yet
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        yield S3Lake(f"s3://{bucket}/lake", {
            "CHATLAKE_LAKE_URI": f"s3://{bucket}/lake",
            "CHATLAKE_LAKE_S3_ENDPOINT_URL": endpoint,
            "CHATLAKE_LAKE_S3_REGION": "us-east-1",
            "CHATLAKE_LAKE_S3_ACCESS_KEY_ID": "testing",
            "CHATLAKE_LAKE_S3_SECRET_ACCESS_KEY": "testing",
            "CHATLAKE_LAKE_S3_ALLOW_HTTP": "true",
        })
    finally:
        server.terminate()
        server.wait(timeout=30)
