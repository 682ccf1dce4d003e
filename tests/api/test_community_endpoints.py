"""A channel's neighbours and the community map, served from a real marts build and a real
communities build over chat of three channels sharing chatters; an opted-out channel leaves
both. Over a lake and a database of the test's own."""

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from core.settings import Settings
from ingest.chat_import import import_to_lake
from ingest.importers import ImportOptions
from tests.api.support import fresh_database, live_server
from tests.support import reachable_tmp_dir
from warehouse.communities.build import CommunitySettings
from warehouse.communities.run import build_communities
from warehouse.lake_store import LakeStore
from warehouse.marts_build import build_marts, plan_build, run_dbt_subprocess
from warehouse.marts_file import MartsFile
from warehouse.optouts import OptOut, add

pytestmark = [pytest.mark.integration, pytest.mark.slow]
CHATTERS = {  # channel id -> who chats there
    "990201": {"alice", "bob", "carol", "dave"},
    "990202": {"alice", "bob", "erin"},
    "990203": {"carol", "frank"},
}


@pytest.fixture(scope="module")
def site(postgres_server, tmp_path_factory):
    folder = tmp_path_factory.mktemp("community-endpoints")
    root = reachable_tmp_dir("chatlake-community-api-")
    store = LakeStore(str(root / "lake"))
    moment = int((datetime.now(UTC) - timedelta(hours=2)).timestamp())
    for channel, users in CHATTERS.items():
        log = folder / f"{channel}.txt"
        log.write_text("".join(f"{moment + n} {user}: hi from {user}\n"
                               for n, user in enumerate(sorted(users))))
        import_to_lake(log, ImportOptions(channel=f"chan{channel}", channel_id=channel), store)
    marts = MartsFile(root / "state" / "warehouse.duckdb")
    build_marts(store, marts, plan_build(store, marts), run_dbt_subprocess)
    build_communities(marts.path, root / "state" / "communities", "all",
                      CommunitySettings(seed=1))
    dsn = fresh_database(postgres_server, "chatlake_community_api")
    settings = Settings(postgres={"dsn": dsn}, lake={"uri": store.uri}, state_dir=root / "state")
    with live_server(settings) as base:
        yield base, dsn


def expected_neighbours(channel: str) -> list[tuple]:
    mine = CHATTERS[channel]
    rows = [(other, len(mine & theirs), len(mine & theirs) / len(mine | theirs),
             len(mine & theirs) / len(mine)) for other, theirs in CHATTERS.items()
            if other != channel and mine & theirs]
    return sorted(rows, key=lambda row: (-row[1], -row[2], row[0]))


def test_neighbours_and_map_follow_the_shared_chatters_and_hide_an_opt_out(site):
    base, dsn = site
    for channel in CHATTERS:
        answer = httpx.get(f"{base}/v1.0/channels/{channel}/neighbours",
                           params={"period": "all"}, timeout=30).json()
        got = [(n["broadcaster_id"], n["shared_chatters"], round(n["jaccard_index"], 9),
                round(n["directed_share"], 9)) for n in answer["neighbours"]]
        want = [(other, shared, round(jaccard, 9), round(share, 9))
                for other, shared, jaccard, share in expected_neighbours(channel)]
        assert got == want, channel
    layout = httpx.get(f"{base}/v1.0/communities/map", params={"period": "all"},
                       timeout=30).json()
    assert sorted(n["id"] for n in layout["nodes"]) == sorted(CHATTERS)
    assert all(-1 <= n["x"] <= 1 and -1 <= n["y"] <= 1 for n in layout["nodes"])
    assert {(min(e["s"], e["t"]), max(e["s"], e["t"])) for e in layout["edges"]} == {
        tuple(sorted((i, j))) for i, a in enumerate(layout["nodes"])
        for j, b in enumerate(layout["nodes"])
        if i < j and CHATTERS[a["id"]] & CHATTERS[b["id"]]}
    missing = httpx.get(f"{base}/v1.0/communities/map", params={"period": "1d"}, timeout=30)
    assert missing.status_code == 404 and "--period 1d" in missing.text

    add(dsn, OptOut("channel", "990203", None))
    deadline = datetime.now(UTC) + timedelta(seconds=30)
    while datetime.now(UTC) < deadline:
        layout = httpx.get(f"{base}/v1.0/communities/map", params={"period": "all"},
                           timeout=30).json()
        if len(layout["nodes"]) == 2:
            break
    assert sorted(n["id"] for n in layout["nodes"]) == ["990201", "990202"]
    assert [(e["s"], e["t"]) in ((0, 1), (1, 0)) for e in layout["edges"]] == [True]
    answer = httpx.get(f"{base}/v1.0/channels/990201/neighbours", params={"period": "all"},
                       timeout=30).json()
    assert [n["broadcaster_id"] for n in answer["neighbours"]] == ["990202"]
