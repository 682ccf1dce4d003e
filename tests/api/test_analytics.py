"""Channels, chat rate with detections, emote usage and active chatters over the real chat."""

import pytest

from tests.api.support import LIRIK_ID, NYMN_DETECTION_AT, NYMN_ID

pytestmark = pytest.mark.anyio
NYMN_RANGE = {"start": "2024-01-06T16:19:00Z", "end": "2024-01-06T16:28:00Z"}


async def test_channels_merge_lake_and_postgres(client):
    channels = {c["login"]: c for c in (await client.get("/v1.0/channels")).json()["channels"]}
    assert channels["lirik"]["message_count"] == 72314  # live chat, once (no VOD comments)
    assert channels["nymn"]["message_count"] == 798
    assert channels["nymn"]["third_party_emotes"] > 800
    assert channels["lirik"]["completed_clips"] == 8
    assert channels["nymn"]["first_message_at"].startswith("2024-01-06T16:19:44")
    by_id = (await client.get(f"/v1.0/channels/{NYMN_ID}")).json()
    assert by_id["login"] == "nymn"


@pytest.mark.parametrize("interval", ["1s", "5s", "30s", "1m", "5m", "1h"])
async def test_activity_counts_every_message_at_every_interval(client, interval):
    response = await client.get(
        "/v1.0/channels/nymn/activity", params={**NYMN_RANGE, "interval": interval}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert sum(body["messages"]) == 798
    assert len(body["t"]) == len(body["messages"]) == len(body["chatters"])
    step = {"1s": 1, "5s": 5, "30s": 30, "1m": 60, "5m": 300, "1h": 3600}[interval]
    assert all(b - a == step for a, b in zip(body["t"], body["t"][1:], strict=False))
    assert max(body["chatters"]) <= 118
    assert [d["clip_id"] for d in body["detections"]] == ["ChatlakeNymnClip-xyz"]
    assert body["detections"][0]["detected_at"].startswith(
        NYMN_DETECTION_AT.isoformat().replace("+00:00", "")
    )


async def test_default_range_ends_at_last_message(client):
    body = (await client.get("/v1.0/channels/lirik/activity", params={"interval": "1h"})).json()
    assert body["end"] == "2019-03-09T16:00:00Z"
    assert len(body["t"]) <= 720


async def test_emotes_cover_twitch_and_7tv(client):
    body = (await client.get("/v1.0/channels/nymn/emotes", params={"limit": 200})).json()
    assert body["emote_set_known"] is True
    sources = {(e["name"], e["source"]) for e in body["emotes"]}
    assert ("forsenParty", "twitch") in sources  # positioned: Twitch, not counted again as 7TV
    assert any(source == "7tv" for _, source in sources)
    lirik = (await client.get(f"/v1.0/channels/{LIRIK_ID}/emotes")).json()
    assert lirik["emote_set_known"] is False
    assert {e["source"] for e in lirik["emotes"]} == {"twitch"}


@pytest.mark.parametrize("interval", ["1s", "5s", "30s", "1m", "5m", "1h"])
async def test_emote_usage_totals_agree_across_intervals(client, interval):
    top = (await client.get("/v1.0/channels/nymn/emotes", params=NYMN_RANGE)).json()["emotes"]
    seventv = next(e for e in top if e["source"] == "7tv")
    body = (
        await client.get(
            "/v1.0/channels/nymn/emotes/usage",
            params={**NYMN_RANGE, "emote": seventv["name"], "interval": interval},
        )
    ).json()
    assert body["total"] == sum(body["uses"]) == seventv["uses"]


async def test_unknown_emote_is_all_zero(client):
    body = (
        await client.get("/v1.0/channels/nymn/emotes/usage", params={"emote": "NoSuchEmote123"})
    ).json()
    assert body["total"] == 0 and body["t"]


async def test_active_chatters(client):
    body = (
        await client.get("/v1.0/channels/nymn/chatters", params={**NYMN_RANGE, "interval": "1m"})
    ).json()
    assert body["distinct_chatters"] == 118
    assert sum(body["new"]) == 118
    assert max(body["active"]) <= 118


async def test_tuning_results_absent_then_present(client, postgres_server, monkeypatch):
    import psycopg

    from api.queries import tuning

    monkeypatch.setattr(tuning, "CANDIDATE_TABLES", ("api_test_no_such_table",))
    body = (await client.get("/v1.0/tuning/results")).json()
    assert body == {"available": False, "table": None, "results": []}
    monkeypatch.setattr(tuning, "CANDIDATE_TABLES", ("api_test_tuning",))
    with psycopg.connect(postgres_server) as conn:
        conn.execute(
            "create table api_test_tuning (id serial, k double precision, f1 double precision,"
            " created_at timestamptz default now())"
        )
        conn.execute("insert into api_test_tuning (k, f1) values (3, 0.43), (4, 0.55)")
    try:
        body = (await client.get("/v1.0/tuning/results")).json()
        assert body["available"] is True and body["table"] == "api_test_tuning"
        assert {row["k"] for row in body["results"]} == {3, 4}
    finally:
        with psycopg.connect(postgres_server) as conn:
            conn.execute("drop table api_test_tuning")


async def test_tuning_results_of_migration_0005(client, postgres_server):
    import psycopg

    with psycopg.connect(postgres_server) as conn:
        present = conn.execute("select to_regclass('tuning_runs') is not null").fetchone()[0]
    if not present:
        pytest.skip("no tuning_runs table (migration 0005) in this tree")
    body = (await client.get("/v1.0/tuning/results")).json()
    assert body["available"] is True and body["table"] == "tuning_results"
    assert isinstance(body["results"], list)
