"""From the moment an opt-out is added, before any erasure, the API stops showing it: an
opted-out channel is unknown and its clips unlisted; an opted-out user's lines leave the clip
chat and the exports. Over a lake and a database of the test's own."""

import json
from datetime import UTC, datetime, timedelta

import httpx
import psycopg
import pytest

from core.settings import Settings
from ingest.chat_import import import_to_lake
from ingest.importers import ImportOptions
from tests.api.support import fresh_database, live_server
from tests.support import reachable_tmp_dir
from warehouse.lake_store import LakeStore
from warehouse.optouts import OptOut, add

pytestmark = pytest.mark.integration
KEPT_ID, GONE_ID = "990101", "990102"


def chat_log(path, moment: datetime, lines: list[tuple[str, str]]):
    path.write_text("".join(f"{int(moment.timestamp()) - 10 + n} {user}: {text}\n"
                            for n, (user, text) in enumerate(lines)))
    return path


@pytest.fixture
def site(postgres_server, tmp_path):
    moment = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    store = LakeStore(str(reachable_tmp_dir("chatlake-optout-api-") / "lake"))
    import_to_lake(chat_log(tmp_path / "kept.txt", moment, [
        ("alice", "hello"), ("bob", "bob was here"), ("alice", "bye")]),
        ImportOptions(channel="kept_channel", channel_id=KEPT_ID), store)
    import_to_lake(chat_log(tmp_path / "gone.txt", moment, [("alice", "in the other channel")]),
                   ImportOptions(channel="gone_channel", channel_id=GONE_ID), store)
    dsn = fresh_database(postgres_server, "chatlake_optout_api")
    with psycopg.connect(dsn) as conn:
        for broadcaster_id, login in ((KEPT_ID, "kept_channel"), (GONE_ID, "gone_channel")):
            conn.execute("insert into streamers (broadcaster_id, streamer_login) values (%s, %s)",
                         [broadcaster_id, login])
            conn.execute(
                "insert into clips (broadcaster_id, clip_id, status, detected_at, window_start,"
                " window_end, message_count) values (%s, %s, 'completed', %s, %s, %s, 3)",
                [broadcaster_id, f"clip-{login}", moment, moment - timedelta(seconds=5), moment])
    settings = Settings(postgres={"dsn": dsn}, lake={"uri": store.uri},
                        state_dir=tmp_path / "state")
    with live_server(settings) as base:
        yield base, dsn


def visible(base: str) -> dict:
    clips = httpx.get(f"{base}/v1.0/clip", timeout=30).json()["clips"]
    kept_clip = next((c["id"] for c in clips if c["broadcaster_id"] == KEPT_ID), None)
    export = httpx.get(f"{base}/v1.0/exports/chat_messages", params={"format": "jsonl"},
                       timeout=60)
    channels = httpx.get(f"{base}/v1.0/channels", timeout=30).json()["channels"]
    return {
        "channels": sorted(c["broadcaster_id"] for c in channels),
        "gone_channel": httpx.get(f"{base}/v1.0/channels/{GONE_ID}", timeout=30).status_code,
        "clips": sorted(c["broadcaster_id"] for c in clips),
        "chat": [line["login"] for line in httpx.get(
            f"{base}/v1.0/clip/{kept_clip}/chat", timeout=30).json()["messages"]],
        "exported": sorted((row["broadcaster_id"], row["user_name"])
                           for row in map(json.loads, export.text.splitlines())),
    }


def test_opted_out_users_and_channels_disappear_from_the_api(site):
    base, dsn = site
    before = visible(base)
    assert before["channels"] == [KEPT_ID, GONE_ID] and before["gone_channel"] == 200
    assert before["chat"] == ["alice", "bob", "alice"]
    add(dsn, OptOut("user", None, "bob"))
    add(dsn, OptOut("channel", GONE_ID, None))
    # The API re-reads the registry every few seconds: wait for a whole view after that.
    deadline = datetime.now(UTC) + timedelta(seconds=30)
    after = visible(base)
    while after["chat"] != ["alice", "alice"] and datetime.now(UTC) < deadline:
        after = visible(base)
    after = visible(base)
    assert after["channels"] == [KEPT_ID] and after["gone_channel"] == 404
    assert after["clips"] == [KEPT_ID]
    assert after["chat"] == ["alice", "alice"]
    assert after["exported"] == [(KEPT_ID, "alice"), (KEPT_ID, "alice")]
