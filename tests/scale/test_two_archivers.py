"""Several archiver processes in one consumer group: they share the partitions, and the
rebalances when one joins and when one is SIGKILLed keep every message exactly once."""

import os
import signal
import subprocess
import sys
import time

import pytest
from chatlake_contracts import topics

from tests.support import private_broker
from tests.warehouse.support import encoded, lake_count, produce, synthetic_message
from warehouse.lake_store import LakeStore

pytestmark = [pytest.mark.integration, pytest.mark.slow]

TOTAL = 1_000_000


def archived_rows(lake) -> int:
    table = LakeStore(str(lake)).open("chat_messages")
    return table.to_pyarrow_dataset().count_rows() if table is not None else 0


def wait_for(condition, timeout: float, what: str, *watched: subprocess.Popen) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert all(p.poll() is None for p in watched), f"an archiver exited while {what}"
        assert time.monotonic() < deadline, f"timed out: {what}"
        time.sleep(0.2)


def test_an_archiver_joining_and_one_killed_keep_every_message_exactly_once(tmp_path):
    lake = tmp_path / "lake"
    with private_broker() as servers:
        produce(servers, topics.CHAT_MESSAGES,
                encoded(synthetic_message(i, channels=13) for i in range(TOTAL)))
        env = {**os.environ, "CHATLAKE_KAFKA_BOOTSTRAP_SERVERS": servers,
               "CHATLAKE_LAKE_URI": str(lake), "CHATLAKE_STATE_DIR": str(tmp_path / "state"),
               # Small batches: many commits from both processes, interleaved.
               "CHATLAKE_ARCHIVER_MAX_BATCH_MESSAGES": "50000"}
        command = [sys.executable, "-m", "chatlake.cli", "archive"]

        def start(name: str) -> subprocess.Popen:
            log = (tmp_path / f"{name}.log").open("w")
            return subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)

        def assigned_chat(name: str) -> bool:
            lines = (tmp_path / f"{name}.log").read_text().splitlines()
            return any("newly assigned partitions" in line and "chat-messages" in line
                       for line in lines)

        first = start("first")
        wait_for(lambda: archived_rows(lake) > 0, 180, "the first archiver started", first)
        second = start("second")  # joins the group: the partitions are shared out again
        wait_for(lambda: assigned_chat("second"), 120, "the second joined", first, second)
        wait_for(lambda: archived_rows(lake) > TOTAL // 3, 300, "both archived", first, second)
        first.send_signal(signal.SIGKILL)  # its partitions go to the second one
        first.wait()
        try:
            wait_for(lambda: archived_rows(lake) >= TOTAL, 400, "the survivor caught up",
                     second)
            time.sleep(3)  # anything archived twice would show up now
        finally:
            second.send_signal(signal.SIGTERM)
            assert second.wait(timeout=60) == 0
    assert lake_count(lake, "select count(*), count(distinct message_id) from chat_messages") \
        == (TOTAL, TOTAL)
