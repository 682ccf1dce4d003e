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
