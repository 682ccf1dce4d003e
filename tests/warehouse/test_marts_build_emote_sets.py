"""A changed emote set rebuilds the marts whole: an emote's validity can reach back to any day,
and the lake's copy of the sets has no days of its own; new chat alone rebuilds only its days."""

from datetime import UTC, date, datetime

import pyarrow as pa

from warehouse.channel_emotes import SCHEMA, TABLE
from warehouse.lake import table_from_records, to_lake_table
from warehouse.lake_schema import CHAT_MESSAGES
from warehouse.lake_store import LakeStore
from warehouse.marts_build import plan_build
from warehouse.marts_file import MartsBuild, MartsFile


def chat(store: LakeStore, day: int) -> None:
    at = int(datetime(2024, 1, day, 12, tzinfo=UTC).timestamp() * 1000)
    record = {"v": 1, "message_id": f"m{day}", "broadcaster_id": "7", "timestamp": at,
              "text": "KEKW", "source": "irc", "metadata": {"emotes": []}}
    store.append(CHAT_MESSAGES.name,
                 to_lake_table(table_from_records([record], CHAT_MESSAGES), CHAT_MESSAGES))


def emote_set(store: LakeStore, *names: str) -> None:
    rows = [{"broadcaster_id": "7", "provider": "7tv", "emote_id": name, "emote_name": name,
             "valid_from": datetime(2023, 1, 1, tzinfo=UTC)} for name in names]
    store.replace(TABLE, pa.Table.from_pylist(rows, schema=SCHEMA), "true", partition_by=None)


def publish(store: LakeStore, marts: MartsFile) -> None:
    plan = plan_build(store, marts)
    with marts.build(full=plan.full):
        marts.record(MartsBuild(datetime.now(UTC), plan.lake_versions, plan.days, None))


def test_a_changed_emote_set_plans_a_full_build(tmp_path):
    store, marts = LakeStore(str(tmp_path / "lake")), MartsFile(tmp_path / "warehouse.duckdb")
    chat(store, 5)
    emote_set(store, "KEKW")
    assert plan_build(store, marts).full  # nothing published yet
    publish(store, marts)
    assert plan_build(store, marts).days == ()
    chat(store, 6)
    assert plan_build(store, marts).days == (date(2024, 1, 6),)  # chat alone: its day
    publish(store, marts)
    emote_set(store, "KEKW", "EDM")
    assert plan_build(store, marts).full
    assert plan_build(store, marts, days=[date(2024, 1, 6)]).full  # a partition run too
    publish(store, marts)
    assert plan_build(store, marts).days == ()
