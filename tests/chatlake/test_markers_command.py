"""`chatlake markers` over a real Delta lake and a real PostgreSQL: an imported VOD and a
recorded live stream, each format read back the way an editor's tool reads it."""

import csv
import io
from datetime import timedelta

import opentimelineio as otio
import psycopg
import pytest
from typer.testing import CliRunner

from chatlake.cli import app
from ingest.chat_import import import_to_lake
from ingest.importers import ImportOptions
from tests.chatlake.support import (
    CHANNEL_LOGIN,
    HOSTILE,
    LIVE_START,
    VOD_ID,
    build_lake,
    delete_detections,
    seed_detections,
)
from tests.support import free_port
from warehouse.catalog import connect
from warehouse.lake_store import LakeStore
from warehouse.markers import timecode
from warehouse.vod_markers import vod_span

pytestmark = pytest.mark.integration
runner = CliRunner()


@pytest.fixture(scope="module")
def state(tmp_path_factory, postgres_server):
    root = tmp_path_factory.mktemp("markers")
    build_lake(root)
    seed_detections(postgres_server)
    yield root
    delete_detections(postgres_server)


@pytest.fixture(autouse=True)
def env(state, postgres_server, monkeypatch):
    monkeypatch.setenv("CHATLAKE_STATE_DIR", str(state / "state"))
    monkeypatch.setenv("CHATLAKE_LAKE_URI", str(state / "lake"))
    monkeypatch.setenv("CHATLAKE_POSTGRES_DSN", postgres_server)


def markers(*args):
    return runner.invoke(app, ["markers", *map(str, args)])


def test_vod_csv_has_every_detection_of_the_channel_at_its_offset():
    result = markers(VOD_ID, "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(float(r["offset_s"]), r["kind"], r["status"]) for r in rows] == [
        (125.0, "clip", "completed"), (600.0, "clip", "completed"),
        (601.0, "detection", "pending"), (1100.0, "detection", "failed")]
    assert rows[0]["clip_url"] == "https://clips.twitch.tv/ClipOne-aaa"
    assert rows[0]["timecode"] == "00:02:05:00"
    assert rows[1]["name"] == " ".join(HOSTILE.split())


def test_vod_edl_reads_back_in_opentimelineio(state):
    out = state / "vod.edl"
    result = markers(VOD_ID, "--format", "edl", "--start-hour", "1", "-o", out)
    assert result.exit_code == 0, result.output
    timeline = otio.adapters.read_from_file(str(out), adapter_name="cmx_3600", rate=30)
    found = sorted(otio.opentime.to_timecode(marker.marked_range.start_time, 30)
                   for clip in timeline.find_clips() for marker in clip.markers)
    assert found == ["01:02:05:00", "01:10:00:00", "01:10:01:00", "01:18:20:00"]
    assert sum(line.startswith("FCM") for line in out.read_text().splitlines()) == 1


def test_vod_chapters_start_at_zero():
    result = markers(VOD_ID, "--format", "chapters")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "00:00 Start"
    # 601 s is within 10 s of the 600 s chapter: YouTube would reject it.
    assert [line.split(" ", 1)[0] for line in lines] == ["00:00", "02:05", "10:00", "18:20"]


def test_recorded_live_stream_by_channel_latest_and_by_start_time():
    latest = markers("--channel", CHANNEL_LOGIN, "--format", "csv")
    assert latest.exit_code == 0, latest.output
    rows = list(csv.DictReader(io.StringIO(latest.stdout)))
    assert [(float(r["offset_s"]), r["kind"]) for r in rows] == [(90.0, "clip"),
                                                                 (3700.0, "detection")]
    pinned = markers("--channel", CHANNEL_LOGIN, "--started-at", LIVE_START.isoformat(),
                     "--format", "chapters")
    assert pinned.exit_code == 0, pinned.output
    assert pinned.stdout.splitlines() == ["00:00 Start", "01:30 live spike",
                                          "1:01:40 chat spike: 44 messages (pending)"]
    # A time during the stream picks it too; one before it, the earlier stream (no markers).
    during = markers("--channel", CHANNEL_LOGIN, "--started-at",
                     (LIVE_START + timedelta(minutes=30)).isoformat(), "-f", "chapters")
    assert during.stdout == pinned.stdout
    earlier = markers("--channel", CHANNEL_LOGIN, "--started-at",
                      (LIVE_START - timedelta(hours=2)).isoformat(), "-f", "csv")
    assert earlier.exit_code == 0, earlier.output
    assert len(earlier.stdout.splitlines()) == 1  # the header alone


@pytest.mark.parametrize(("args", "message"), [
    (["999"], "no chat of VOD '999' in the lake"),
    (["--channel", "nobody"], "no stream of 'nobody' went online"),
    (["--channel", CHANNEL_LOGIN, "--started-at", "2020-01-01"], "went online by"),
    ([VOD_ID, "--format", "xml"], "'xml' is not one of"),
    ([], "give a VOD id or --channel"),
    (["--channel", CHANNEL_LOGIN, "-f", "edl", "--start-hour", "23"], "past 23:59:59"),
])
def test_bad_input_exits_non_zero(args, message):
    result = markers(*args)
    assert result.exit_code != 0
    assert message in " ".join(result.output.split())


def test_real_vod_and_its_clips_as_an_edl(tmp_path, shared_data, postgres_server, monkeypatch):
    """The lirik VOD from the shared data, its ~600 real clips as clips rows at their VOD
    offsets: every one comes back from OpenTimelineIO at its timecode."""
    vod = shared_data / "vod" / "lirik" / "lirik_389178879.chat.json.gz"
    clips_csv = shared_data / "vod" / "lirik" / "lirik_389178879.clips.csv"
    if not clips_csv.is_file():
        pytest.skip(f"the shared lirik clips are absent ({clips_csv})")
    store = LakeStore(str(tmp_path / "lake"))
    import_to_lake(vod, ImportOptions(), store)
    monkeypatch.setenv("CHATLAKE_LAKE_URI", str(tmp_path / "lake"))
    span = vod_span(connect(store), "389178879")
    with clips_csv.open(newline="") as handle:
        clips = list(csv.DictReader(handle))
    expected = []
    with psycopg.connect(postgres_server) as conn:
        conn.execute("delete from clips where broadcaster_id = %s", [span.broadcaster_id])
        for clip in clips:
            start = span.start + timedelta(seconds=float(clip["start_s"]))
            inserted = conn.execute(
                "insert into clips (broadcaster_id, clip_id, title, detected_at, window_start,"
                " window_end, status) values (%s, %s, %s, %s, %s, %s, 'completed')"
                " on conflict do nothing returning id",
                [span.broadcaster_id, clip["clip_slug"], clip["title"], start, start,
                 span.start + timedelta(seconds=float(clip["end_s"]))]).fetchone()
            if inserted:
                expected.append(timecode(float(clip["start_s"]), 30))
    try:
        out = tmp_path / "lirik.edl"
        result = markers("389178879", "--format", "edl", "-o", out)
        assert result.exit_code == 0, result.output
        timeline = otio.adapters.read_from_file(str(out), adapter_name="cmx_3600", rate=30)
        found = [otio.opentime.to_timecode(m.marked_range.start_time, 30)
                 for clip in timeline.find_clips() for m in clip.markers]
        assert len(found) > 100
        assert sorted(found) == sorted(expected)
    finally:
        with psycopg.connect(postgres_server) as conn:
            conn.execute("delete from clips where broadcaster_id = %s", [span.broadcaster_id])


def test_postgres_down_is_one_line_and_exit_1(monkeypatch):
    monkeypatch.setenv("CHATLAKE_POSTGRES_DSN",
                       f"postgresql://chatlake@127.0.0.1:{free_port()}/chatlake")
    result = markers(VOD_ID)
    assert result.exit_code == 1
    assert "PostgreSQL is unavailable" in result.output
