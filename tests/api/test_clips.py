"""GET /v1.0/clip: newest first, time range, completed only by default, keyset pages."""

from datetime import timedelta

import pytest

from tests.api.support import RECENT_CLIPS, clip_id

pytestmark = pytest.mark.anyio


def iso(value) -> str:
    return value.isoformat().replace("+00:00", "Z")


async def test_last_week_newest_first_completed_only(client, seeded_now):
    start = iso(seeded_now - timedelta(days=7))
    response = await client.get("/v1.0/clip", params={"start": start, "limit": 100})
    assert response.status_code == 200
    page = response.json()
    assert [c["clip_id"] for c in page["clips"]] == [clip_id(n) for n in range(RECENT_CLIPS)]
    assert {c["status"] for c in page["clips"]} == {"completed"}
    assert page["next_cursor"] is None
    first = page["clips"][0]
    assert first["broadcaster_login"] == "lirik"
    assert first["thumbnail_url"].endswith(".jpg")


async def test_pages_follow_cursor_without_gaps_or_repeats(client, seeded_now):
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 5, "start": iso(seeded_now - timedelta(days=7))}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get("/v1.0/clip", params=params)).json()
        seen += [c["clip_id"] for c in page["clips"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [clip_id(n) for n in range(RECENT_CLIPS)]
    assert pages == -(-RECENT_CLIPS // 5)


async def test_range_is_half_open_and_end_only_works(client, seeded_now):
    # Clip n was detected at now - (6n + 1) h.
    end = seeded_now - timedelta(hours=1)  # clip 0 sits exactly on end: excluded
    start = seeded_now - timedelta(hours=13)  # clip 2 exactly on start: included
    page = (await client.get("/v1.0/clip", params={"start": iso(start), "end": iso(end)})).json()
    assert [c["clip_id"] for c in page["clips"]] == [clip_id(1), clip_id(2)]
    old = (await client.get("/v1.0/clip", params={"end": iso(seeded_now - timedelta(days=8))}))
    assert [c["clip_id"] for c in old.json()["clips"]] == ["ChatlakeOldClip-xyz",
                                                          "ChatlakeNymnClip-xyz"]


async def test_status_and_channel_filters(client):
    pending = (await client.get("/v1.0/clip", params={"status": "pending"})).json()["clips"]
    assert [c["status"] for c in pending] == ["pending"]
    assert pending[0]["clip_id"] is None
    nymn = (await client.get("/v1.0/clip", params={"channel": "nymn", "limit": 100})).json()
    assert nymn["clips"] and {c["broadcaster_id"] for c in nymn["clips"]} == {"62300805"}


async def test_offsets_and_date_only_times_are_accepted(client, seeded_now):
    day = (seeded_now - timedelta(days=1)).date().isoformat()
    for start in (day, iso(seeded_now - timedelta(days=7)).replace("Z", "+02:00")):
        response = await client.get("/v1.0/clip", params={"start": start})
        assert response.status_code == 200, response.text


async def test_sorted_by_strength_pages_strongest_first_without_gaps(client):
    everything = (await client.get("/v1.0/clip", params={"limit": 100})).json()["clips"]
    expected = sorted(everything, key=lambda c: (
        c["strength"] if c["strength"] is not None else float("-inf"), c["id"]), reverse=True)
    assert [c["strength"] for c in everything] != [c["strength"] for c in expected]
    assert expected[-1]["strength"] is None  # the clip without a baseline sorts last
    seen, cursor = [], None
    while True:
        params = {"limit": 4, "sort": "strength", **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/v1.0/clip", params=params)).json()
        seen += [c["id"] for c in page["clips"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [c["id"] for c in expected]


async def test_a_cursor_of_one_sort_is_refused_by_the_other(client):
    by_time = (await client.get("/v1.0/clip", params={"limit": 2})).json()["next_cursor"]
    response = await client.get("/v1.0/clip", params={"sort": "strength", "cursor": by_time})
    assert response.status_code == 400 and "same sort" in response.text
    bad = await client.get("/v1.0/clip", params={"sort": "loudest"})
    assert bad.status_code == 400


async def test_a_clip_opens_with_the_chat_around_its_moment(client, api_lake):
    from datetime import UTC, datetime

    from warehouse.catalog import connect
    from warehouse.lake_store import LakeStore

    clips = (await client.get("/v1.0/clip", params={"limit": 100})).json()["clips"]
    (nymn,) = [c for c in clips if c["clip_id"] == "ChatlakeNymnClip-xyz"]
    response = await client.get(f"/v1.0/clip/{nymn['id']}/chat")
    assert response.status_code == 200, response.text
    body = response.json()
    start, end = (datetime.fromisoformat(body[k]).astimezone(UTC) for k in ("start", "end"))
    assert (end - start).total_seconds() == 65  # 30 s, the 5 s window, 30 s
    with connect(LakeStore(str(api_lake))) as con:
        (expected,) = con.execute(
            "select count(distinct message_id) from chat_messages where broadcaster_id = ?"
            " and not coalesce(is_vod_comment, false) and timestamp >= ? and timestamp < ?",
            [nymn["broadcaster_id"], start, end]).fetchone()
    assert len(body["messages"]) == expected > 0 and not body["truncated"]
    times = [m["sent_at"] for m in body["messages"]]
    assert times == sorted(times)
    assert (await client.get("/v1.0/clip/999999999/chat")).status_code == 404
    assert (await client.get("/v1.0/clip/0/chat")).status_code == 400
