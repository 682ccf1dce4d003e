"""GET /v1.0/exports/{source} and the marker downloads, over a real Delta lake, a real marts
file and a real PostgreSQL: streamed attachments, 4xx on bad input."""

import csv
import io
import json
import subprocess
import sys

import opentimelineio as otio
import pyarrow.parquet as pq
import pytest
from litestar.testing import AsyncTestClient

from api.app import create_app
from api.resources import MAX_CONCURRENT_EXPORTS
from core.settings import Settings
from tests.chatlake.support import (
    CHANNEL_ID,
    CHANNEL_LOGIN,
    LIVE_START,
    VOD_COMMENTS,
    VOD_ID,
    build_lake,
    build_marts,
    delete_detections,
    seed_detections,
)

pytestmark = [pytest.mark.anyio, pytest.mark.integration]


@pytest.fixture(scope="module")
def settings(tmp_path_factory, postgres_server):
    root = tmp_path_factory.mktemp("api-exports")
    build_lake(root)
    build_marts(root / "state" / "warehouse.duckdb")
    seed_detections(postgres_server)
    yield Settings(postgres={"dsn": postgres_server}, lake={"uri": str(root / "lake")},
                   state_dir=root / "state")
    delete_detections(postgres_server)


@pytest.fixture
async def client(settings):
    async with AsyncTestClient(app=create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def test_lake_table_as_csv_attachment(client):
    response = await client.get("/v1.0/exports/chat_messages", params={"format": "csv"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"] == 'attachment; filename="chat_messages.csv"'
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == VOD_COMMENTS


async def test_mart_as_parquet_by_channel_and_range(client, tmp_path):
    response = await client.get("/v1.0/exports/channel_hourly_rollups", params={
        "format": "parquet", "channel": CHANNEL_LOGIN, "start": "2024-03-01T12:00:00Z",
        "end": "2024-03-01T13:00:00Z"})
    assert response.status_code == 200, response.text
    path = tmp_path / "x.parquet"
    path.write_bytes(response.content)
    table = pq.read_table(path)
    assert table.column("messages").to_pylist() == [300]
    assert table.column("broadcaster_id").to_pylist() == [CHANNEL_ID]


async def test_jsonl_rows(client):
    response = await client.get("/v1.0/exports/stream_lifecycle", params={"format": "jsonl"})
    assert response.status_code == 200, response.text
    events = [json.loads(line) for line in response.text.splitlines()]
    assert [e["event_type"] for e in events].count("online") == 2


@pytest.mark.parametrize(("path", "params", "status", "message"), [
    ("/v1.0/exports/nope", {}, 404, "no mart or lake table named 'nope'"),
    ("/v1.0/exports/select%201", {}, 400, ""),
    ("/v1.0/exports/chat_messages", {"format": "xml"}, 400, "format"),
    ("/v1.0/exports/chat_messages", {"start": "soon"}, 400, "not an ISO 8601"),
    ("/v1.0/exports/no_channel", {"channel": "x"}, 400, "no broadcaster_id column"),
    ("/v1.0/vods/999/markers", {}, 404, "no chat of VOD '999'"),
    (f"/v1.0/vods/{VOD_ID}/markers", {"format": "xml"}, 400, "format"),
    (f"/v1.0/vods/{VOD_ID}/markers", {"fps": 0}, 400, "fps"),
    ("/v1.0/channels/nobody/stream-markers", {}, 404, "no stream of 'nobody'"),
    (f"/v1.0/channels/{CHANNEL_LOGIN}/stream-markers", {"started_at": "x"}, 400, "started_at"),
    (f"/v1.0/channels/{CHANNEL_LOGIN}/stream-markers", {"format": "edl", "start_hour": 23},
     400, "past 23:59:59"),
])
async def test_bad_input_is_4xx_with_a_reason(client, path, params, status, message):
    response = await client.get(path, params=params)
    assert response.status_code == status, response.text
    assert message in response.json()["detail"]


async def test_vod_edl_download_reads_back_in_opentimelineio(client):
    response = await client.get(f"/v1.0/vods/{VOD_ID}/markers",
                                params={"format": "edl", "fps": 25})
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"] == \
        f'attachment; filename="{CHANNEL_LOGIN}-{VOD_ID}-markers.edl"'
    timeline = otio.adapters.read_from_string(response.text, adapter_name="cmx_3600", rate=25)
    found = sorted(otio.opentime.to_timecode(m.marked_range.start_time, 25)
                   for clip in timeline.find_clips() for m in clip.markers)
    assert found == ["00:02:05:00", "00:10:00:00", "00:10:01:00", "00:18:20:00"]


async def test_stream_markers_csv_and_chapters(client):
    started = LIVE_START.isoformat()
    response = await client.get(f"/v1.0/channels/{CHANNEL_ID}/stream-markers",
                                params={"started_at": started})
    assert response.status_code == 200, response.text
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [float(r["offset_s"]) for r in rows] == [90.0, 3700.0]
    chapters = await client.get(f"/v1.0/channels/{CHANNEL_LOGIN}/stream-markers",
                                params={"format": "chapters"})
    assert chapters.text.splitlines()[0] == "00:00 Start"


async def test_marts_file_held_by_a_writer_is_503_not_500(settings, tmp_path):
    marts = tmp_path / "state" / "warehouse.duckdb"
    build_marts(marts)
    held = settings.model_copy(update={"state_dir": tmp_path / "state"})
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1]);"
         " print('held', flush=True); sys.stdin.read()", str(marts)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        async with AsyncTestClient(app=create_app(held)) as client:
            response = await client.get("/v1.0/exports/channel_hourly_rollups")
        assert response.status_code == 503, response.text
        assert "cannot be opened" in response.json()["detail"]
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)


async def test_exports_beyond_the_concurrent_limit_are_503_and_slots_come_back(settings):
    async with AsyncTestClient(app=create_app(settings)) as client:
        slots = client.app.state.resources.export_slots
        for _ in range(MAX_CONCURRENT_EXPORTS):
            assert slots.acquire(blocking=False)
        busy = await client.get("/v1.0/exports/chat_windows")
        assert busy.status_code == 503
        assert busy.headers["retry-after"] == "5"
        slots.release()
        done = await client.get("/v1.0/exports/chat_messages", params={"format": "jsonl"})
        assert done.status_code == 200
        again = await client.get("/v1.0/exports/nope")  # a 404 also gives its slot back
        assert again.status_code == 404
        # Every slot but the ones still held above is free again.
        assert slots.acquire(blocking=False)
        assert not slots.acquire(blocking=False)
