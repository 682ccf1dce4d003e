"""The archiver drops opted-out users' and channels' chat before its commits (real Tansu, real
Delta tables) and counts them; the set is the registry's, cached, not read per message."""

import asyncio
import time

import pytest
from chatlake_contracts.topics import CHAT_MESSAGES

from tests.support import private_broker
from tests.warehouse.support import encoded, lake_count, produce, synthetic_message
from warehouse.archiver import Archiver, ArchiverConfig
from warehouse.lake_store import LakeStore
from warehouse.optouts import CachedOptOuts, OptOut, OptOutSet

pytestmark = [pytest.mark.integration]


def test_the_archiver_drops_opted_out_chat_and_counts_it(tmp_path):
    records = [synthetic_message(i) for i in range(2000)]
    # synthetic_message: user i % 997, channel 1000 + i % 7.
    dropped = {r["message_id"] for r in records
               if r["user_id"] == "42" or r["broadcaster_id"] == "1003"}
    reads = []

    def load() -> OptOutSet:
        reads.append(time.monotonic())
        return OptOutSet.of([OptOut("user", "42", None), OptOut("channel", "1003", None)])

    store = LakeStore(str(tmp_path / "lake"))
    with private_broker() as servers:
        produce(servers, CHAT_MESSAGES, encoded(records))

        async def run() -> Archiver:
            archiver = Archiver(ArchiverConfig(servers, group_id="privacy-archiver",
                                               max_batch_seconds=0.5), store,
                                CachedOptOuts(load, refresh_s=3600))
            stop = asyncio.Event()
            task = asyncio.create_task(archiver.run(stop))
            deadline = time.monotonic() + 120
            while archiver.archived + archiver.opted_out_dropped < len(records) \
                    and not task.done() and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            stop.set()
            await task
            return archiver

        archiver = asyncio.run(run())
    assert archiver.opted_out_dropped == len(dropped)
    assert lake_count(store, "select count(*) from chat_messages") == (
        len(records) - len(dropped),)
    assert lake_count(store, "select count(*) from chat_messages where user_id = '42' "
                             "or broadcaster_id = '1003'") == (0,)
    assert len(reads) == 1  # one registry read for 2,000 messages
