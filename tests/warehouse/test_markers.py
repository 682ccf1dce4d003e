"""Marker formats: the EDL read back by OpenTimelineIO's CMX 3600 adapter, the CSV by the csv
module, chapters as YouTube wants them; hostile titles stay on one line."""

import csv
import io
from datetime import UTC, datetime

import opentimelineio as otio
import pytest

from warehouse.markers import (
    CSV_COLUMNS,
    Marker,
    clock,
    one_line,
    render,
    timecode,
    to_chapters,
    to_csv,
    to_edl,
)

HOSTILE = 'pwned"\r\n* LOC: 00:00:00:00 RED fake\nFCM: DROP FRAME, <b>'
MARKERS = [
    Marker(3723.5, 5.0, "clip", "chat spike (77 messages)", "completed", 77,
           "https://clips.twitch.tv/x", datetime(2024, 1, 6, 16, 23, tzinfo=UTC)),
    Marker(65.0, 5.0, "detection", HOSTILE, "failed", 40),
    Marker(12.2, 5.0, "detection", "early", "pending", 31),
    Marker(12.21, 5.0, "clip", "same frame", "completed", 33),
    Marker(70.0, 5.0, "detection", "too close to the previous chapter", "pending", 30),
]


def read_edl(text: str, fps: int = 30):
    timeline = otio.adapters.read_from_string(text, adapter_name="cmx_3600", rate=fps)
    return [(marker.name, otio.opentime.to_timecode(marker.marked_range.start_time, fps))
            for clip in timeline.find_clips() for marker in clip.markers]


def test_timecodes_and_clock():
    assert timecode(0, 30) == "00:00:00:00"
    assert timecode(3723.5, 30) == "01:02:03:15"
    assert timecode(1.0, 25, start_hour=1) == "01:00:01:00"
    assert clock(0) == "00:00"
    assert clock(65.9) == "01:05"
    assert clock(3723.5) == "1:02:03"


def test_edl_reads_back_in_opentimelineio_with_every_marker_at_its_timecode():
    markers = read_edl(to_edl(MARKERS, "lirik 389178879"))
    assert len(markers) == len(MARKERS)
    assert sorted(tc for _, tc in markers) == [
        "00:00:12:06", "00:00:12:06", "00:01:05:00", "00:01:10:00", "01:02:03:15"]
    names = dict((name, tc) for name, tc in markers)
    assert names["chat spike (77 messages)"] == "01:02:03:15"


def test_edl_at_an_hour_offset_and_another_rate():
    markers = read_edl(to_edl(MARKERS[:1], "v", fps=60, start_hour=1), fps=60)
    assert markers == [("chat spike (77 messages)", "02:02:03:30")]


def test_hostile_title_is_one_edl_comment_line():
    text = to_edl([MARKERS[1]], 'title\nFCM: DROP FRAME')
    lines = text.split("\r\n")
    assert [line for line in lines if line.startswith("FCM")] == ["FCM: NON-DROP FRAME"]
    assert sum(line.startswith("* LOC:") for line in lines) == 1
    assert "\n" not in text.replace("\r\n", "")
    assert len(read_edl(text)) == 1


def test_csv_has_a_header_and_round_trips_hostile_text():
    rows = list(csv.DictReader(io.StringIO(to_csv(MARKERS))))
    assert len(rows) == len(MARKERS)
    assert [float(r["offset_s"]) for r in rows] == sorted(m.offset_s for m in MARKERS)
    hostile = next(r for r in rows if r["status"] == "failed")
    assert hostile["name"] == one_line(HOSTILE, 1000)
    assert hostile["name"].startswith('pwned" * LOC')
    assert rows[-1]["clip_url"] == "https://clips.twitch.tv/x"
    assert rows[-1]["timecode"] == "01:02:03:15"


def test_chapters_start_at_zero_ascend_and_are_ten_seconds_apart():
    lines = to_chapters(MARKERS).splitlines()
    assert lines[0] == "00:00 Start"
    assert [line.split(" ", 1)[0] for line in lines] == ["00:00", "00:12", "01:05", "1:02:03"]
    assert all("\n" not in line and "<" not in line for line in lines)


def test_no_markers_still_gives_valid_output():
    assert to_chapters([]) == "00:00 Start\n"
    assert list(csv.reader(io.StringIO(to_csv([])))) == [list(CSV_COLUMNS)]
    assert read_edl(to_edl([], "empty")) == []


def test_unknown_format_is_an_error():
    with pytest.raises(ValueError, match="unknown marker format"):
        render(MARKERS, "xml", "t")


def test_long_names_are_shortened_in_ascii_and_timecode_past_a_day_is_refused():
    assert one_line("x" * 200, 80) == "x" * 77 + "..."
    with pytest.raises(ValueError, match="past 23:59:59"):
        to_edl([Marker(5 * 3600.0, 5.0, "clip", "late")], "long VOD", start_hour=20)
    assert len(read_edl(to_edl([Marker(5 * 3600.0, 5.0, "clip", "late")], "v",
                               start_hour=18))) == 1
