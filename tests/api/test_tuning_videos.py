"""The backtest plot's and the latest stream's endpoints answer 404 naming what is missing
(their data path is tested in tests/e2e/test_untrusted_text.py, over a database of its own)."""

import pytest

from tests.api.support import LIRIK_ID

pytestmark = pytest.mark.integration


@pytest.mark.anyio
async def test_unknown_runs_and_videos_are_404_naming_them(client):
    listing = await client.get("/v1.0/tuning/runs/no-such-run/videos")
    video = await client.get("/v1.0/tuning/runs/no-such-run/backtest",
                             params={"video_id": "v1"})
    assert listing.status_code == 404 and "no-such-run" in listing.json()["detail"]
    assert video.status_code == 404 and "'v1'" in video.json()["detail"]


@pytest.mark.anyio
async def test_an_overlong_run_id_is_400(client):
    response = await client.get(f"/v1.0/tuning/runs/{'r' * 201}/videos")
    assert response.status_code == 400


@pytest.mark.anyio
async def test_the_backtest_needs_a_video(client):
    response = await client.get("/v1.0/tuning/runs/run-1/backtest")
    assert response.status_code == 400 and "video_id" in response.text


@pytest.mark.anyio
async def test_a_channel_without_a_recorded_stream_is_404_naming_it(client):
    # The seeded channels have chat and clips but no monitor poll nor --game import.
    response = await client.get(f"/v1.0/channels/{LIRIK_ID}/stream")
    assert response.status_code == 404 and LIRIK_ID in response.json()["detail"]


@pytest.mark.anyio
async def test_control_characters_in_ids_are_400_not_a_database_error(client):
    response = await client.get("/v1.0/tuning/runs/run-1/backtest",
                                params={"video_id": "v\x001"})
    assert response.status_code == 400
