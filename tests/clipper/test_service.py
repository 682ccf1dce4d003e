"""The clipper against the stand-in (real aiohttp over sockets) and a real PostgreSQL.

Request times are recorded by the server (a middleware outside the fault injection), so the
retry spacing is read from when Create Clip calls arrived, not from the test's clock.
"""

import asyncio
import itertools

import psycopg
import pytest

from tests.clipper.support import RecordingStandIn, detect, finished, live, row, run_until, service
from tests.standin.support import seeded_store

pytestmark = pytest.mark.integration


def test_completes_a_detection(standin, own_db, tmp_path):
    [channel] = live(standin)
    clip_row = detect(own_db, channel)
    asyncio.run(run_until(service(standin, own_db, tmp_path), finished(own_db, clip_row)))
    done = row(own_db, clip_row)
    [clip] = standin.clips()
    assert done["status"] == "completed" and done["clip_id"] == clip["id"]
    assert done["embed_url"] == clip["embed_url"]
    assert done["thumbnail_url"] == clip["thumbnail_url"]
    assert done["completed_at"] is not None and done["attempts"] == 1
    assert done["title"] == clip["title"] and f"#{clip_row}" in clip["title"]


def test_create_clip_retried_at_2_and_4_seconds_on_503(standin, own_db, tmp_path, caplog):
    caplog.set_level("INFO", logger="clipper.service")
    [channel] = live(standin)
    standin.add_fault("/helix/clips", 503, count=2, method="POST")
    clip_row = detect(own_db, channel)
    asyncio.run(run_until(service(standin, own_db, tmp_path), finished(own_db, clip_row)))
    calls = standin.creates()
    assert [status for _, status in calls] == [503, 503, 202]
    # The waits the clipper chose, and (a slow machine can only lengthen them) that the calls
    # really came no sooner: no upper bound on wall time, which load could break.
    waits = [record.args[-1] for record in caplog.records if "retrying in" in record.msg]
    assert waits == [2.0, 4.0]
    gaps = [later - earlier for (earlier, _), (later, _) in itertools.pairwise(calls)]
    assert gaps[0] >= 2.0 and gaps[1] >= 4.0, gaps
    done = row(own_db, clip_row)
    assert done["status"] == "completed" and done["attempts"] == 3
    assert len(standin.clips()) == 1


def test_429_waits_for_ratelimit_reset(standin, own_db, tmp_path):
    [channel] = live(standin)
    standin.add_fault("/helix/clips", 429, count=1, method="POST", ratelimit_reset_s=5.0)
    clip_row = detect(own_db, channel)
    asyncio.run(run_until(service(standin, own_db, tmp_path), finished(own_db, clip_row)))
    (first, _), (second, status) = standin.creates()
    # Ratelimit-Reset is a whole epoch second 4-5 s ahead: longer than the 2 s back-off.
    assert status == 202 and second - first >= 3.5
    assert row(own_db, clip_row)["status"] == "completed"


def test_transient_failures_exhausted_record_the_reason(standin, own_db, tmp_path):
    [channel] = live(standin)
    standin.add_fault("/helix/clips", 503, count=3, method="POST")
    clip_row = detect(own_db, channel)
    asyncio.run(run_until(service(standin, own_db, tmp_path), finished(own_db, clip_row)))
    done = row(own_db, clip_row)
    assert done["status"] == "failed" and done["attempts"] == 3
    assert "3 times" in done["failure_reason"] and "503" in done["failure_reason"]
    assert standin.clips() == []


def test_403_marks_the_channel_as_not_allowing_clips(standin, own_db, tmp_path):
    [channel] = live(standin)
    standin.forbid_clips(channel)
    clip_row = detect(own_db, channel)
    asyncio.run(run_until(service(standin, own_db, tmp_path), finished(own_db, clip_row)))
    done = row(own_db, clip_row)
    assert done["status"] == "failed" and "not allowed" in done["failure_reason"]
    assert len(standin.creates()) == 1  # a 403 is not retried
    with psycopg.connect(own_db) as conn:
        allows = conn.execute("select allows_clipping from streamers where broadcaster_id = %s",
                              [channel]).fetchone()
    assert allows == (False,)


def test_offline_channel_and_invisible_clip_fail_with_reasons(own_db, tmp_path):
    slow = RecordingStandIn(clip_delay_s=60.0).start_in_thread()  # clips never show in time
    try:
        [channel] = live(slow)
        offline = detect(own_db, "1")  # not live: 404
        invisible = detect(own_db, channel)
        clipper = service(slow, own_db, tmp_path, read_bound_s=3.0)
        asyncio.run(run_until(clipper, lambda: finished(own_db, offline)()
                              and finished(own_db, invisible)()))
    finally:
        slow.stop_thread()
    assert "not live" in row(own_db, offline)["failure_reason"]
    reason = row(own_db, invisible)["failure_reason"]
    assert "not visible" in reason and row(own_db, invisible)["clip_id"]


def test_too_late_detection_is_not_clipped(standin, own_db, tmp_path):
    [channel] = live(standin)
    clip_row = detect(own_db, channel, seconds_ago=300)
    asyncio.run(run_until(service(standin, own_db, tmp_path), finished(own_db, clip_row)))
    assert row(own_db, clip_row)["failure_reason"].startswith("too late")
    assert standin.creates() == []


def test_expired_token_is_refreshed_and_persisted(standin, own_db, tmp_path):
    [channel] = live(standin)
    store = seeded_store(standin, tmp_path)
    before = store.load()
    standin.expire_token(before.access_token)
    clip_row = detect(own_db, channel)
    asyncio.run(run_until(service(standin, own_db, tmp_path), finished(own_db, clip_row)))
    after = store.load()
    assert after.access_token != before.access_token
    assert after.refresh_token != before.refresh_token
    assert row(own_db, clip_row)["status"] == "completed"
