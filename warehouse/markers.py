"""Editor markers: a VOD's detections and clips as CSV, CMX 3600 EDL and YouTube chapters.

Pure formatting, no I/O: `Marker`s in (offsets in seconds from the start of the VOD), text out.
The gathering (which rows, which VOD start) is warehouse/vod_markers.py's.

Everything a marker carries by name (clip titles, channel names) is untrusted text: CSV goes
through the csv module's quoting; EDL and chapter lines get one line of printable text with no
control characters (a newline in a title would start a new EDL statement or chapter).

EDL: one 1-frame video event per marker frame (markers on the same frame share it), each with a
`* FROM CLIP NAME:` and one `* LOC:` comment per marker at the event's record-in timecode. This is
what OpenTimelineIO's CMX 3600 adapter reads back as markers, and what DaVinci Resolve (Timeline >
Import > Timeline Markers from EDL) and Premiere (Import > EDL) take. Timecodes are non-drop-frame
at `fps`, from `start_hour`:00:00:00 (Resolve timelines start at 01:00:00:00 by default).

Chapters: YouTube wants the first at 00:00, at least three, each at least 10 s long, ascending.
"""

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

CSV_COLUMNS = ("offset_s", "timecode", "duration_s", "kind", "name", "status",
               "message_count", "clip_url", "detected_at")
# EDL colours of the two kinds of marker (OpenTimelineIO's MarkerColor names).
COLORS = {"clip": "GREEN", "detection": "YELLOW"}
EDL_TITLE_MAX = 60
EDL_NAME_MAX = 80
CHAPTER_TITLE_MAX = 100
# YouTube: a chapter lasts at least 10 seconds; at least three are needed for chapters to show.
MIN_CHAPTER_SECONDS = 10
MIN_CHAPTERS = 3
FIRST_CHAPTER_TITLE = "Start"

# CMX 3600 timecodes run to 23:59:59:FF.
MAX_TIMECODE_HOURS = 24

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


@dataclass(frozen=True)
class Marker:
    """One detection (kind 'detection') or one detection that became a clip (kind 'clip')."""

    offset_s: float
    duration_s: float
    kind: str
    name: str
    status: str = ""
    message_count: int | None = None
    clip_url: str | None = None
    detected_at: datetime | None = None


def one_line(text: str | None, limit: int) -> str:
    """`text` as one line of printable characters, whitespace collapsed, at most `limit` long."""
    flat = " ".join(_CONTROL.sub(" ", text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 3].rstrip() + "..."


def timecode(seconds: float, fps: int, start_hour: int = 0) -> str:
    """HH:MM:SS:FF, non-drop-frame, of the frame `seconds` falls in."""
    frames = int(max(seconds, 0.0) * fps + 1e-6) + start_hour * 3600 * fps
    ff = frames % fps
    total_s = frames // fps
    return f"{total_s // 3600:02d}:{total_s // 60 % 60:02d}:{total_s % 60:02d}:{ff:02d}"


def clock(seconds: float) -> str:
    """A chapter time: M:SS / MM:SS under an hour, H:MM:SS from it on (whole seconds, floored)."""
    s = max(int(seconds), 0)
    if s >= 3600:
        return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"
    return f"{s // 60:02d}:{s % 60:02d}"


def ordered(markers: Iterable[Marker]) -> list[Marker]:
    return sorted(markers, key=lambda m: (m.offset_s, m.kind, m.name))


def to_csv(markers: Iterable[Marker], fps: int = 30) -> str:
    """A header row, then one row per marker in time order (the csv module quotes the text)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for m in ordered(markers):
        writer.writerow([
            f"{m.offset_s:.3f}", timecode(m.offset_s, fps), f"{m.duration_s:.3f}", m.kind,
            one_line(m.name, 1000), m.status,
            "" if m.message_count is None else m.message_count, m.clip_url or "",
            m.detected_at.isoformat() if m.detected_at else "",
        ])
    return out.getvalue()


def to_edl(markers: Iterable[Marker], title: str, fps: int = 30, start_hour: int = 0,
           reel: str = "AX") -> str:
    """A CMX 3600 EDL with one `* LOC:` per marker at its offset (see the module docstring)."""
    by_frame: dict[int, list[Marker]] = {}
    for m in ordered(markers):
        by_frame.setdefault(int(max(m.offset_s, 0.0) * fps + 1e-6), []).append(m)
    if by_frame and max(by_frame) // fps // 3600 + start_hour >= MAX_TIMECODE_HOURS:
        raise ValueError(f"a marker falls past 23:59:59 of timecode: the VOD is too long for "
                         f"start hour {start_hour}; choose a lower one")
    source = one_line(title, EDL_TITLE_MAX) or "chatlake markers"
    lines = [f"TITLE: {source}", "FCM: NON-DROP FRAME", ""]
    for number, (frame, group) in enumerate(sorted(by_frame.items()), start=1):
        start, end = frame / fps, (frame + 1) / fps
        tc_in, tc_out = timecode(start, fps, start_hour), timecode(end, fps, start_hour)
        lines.append(f"{number:03d}  {reel:<8} V     C        {tc_in} {tc_out} {tc_in} {tc_out}")
        lines.append(f"* FROM CLIP NAME: {source}")
        for m in group:
            name = one_line(m.name, EDL_NAME_MAX) or m.kind
            lines.append(f"* LOC: {tc_in} {COLORS.get(m.kind, 'RED'):<7} {name}")
        lines.append("")
    return "\r\n".join(lines)


def to_chapters(markers: Iterable[Marker]) -> str:
    """YouTube chapter lines: `00:00 Start`, then one per marker that starts at least 10 s after
    the previous chapter (closer ones are dropped: YouTube rejects shorter chapters). Fewer than
    three chapters are still written; YouTube then shows none, which a note line cannot fix.
    Angle brackets are removed: YouTube refuses them in descriptions."""
    lines = [f"{clock(0)} {FIRST_CHAPTER_TITLE}"]
    last = 0
    for m in ordered(markers):
        second = int(m.offset_s)
        if second - last < MIN_CHAPTER_SECONDS:
            continue
        title = one_line(m.name.replace("<", "").replace(">", ""), CHAPTER_TITLE_MAX)
        lines.append(f"{clock(second)} {title or m.kind}")
        last = second
    return "\n".join(lines) + "\n"


FORMATS = {"csv": "text/csv", "edl": "text/plain", "chapters": "text/plain"}
EXTENSIONS = {"csv": "csv", "edl": "edl", "chapters": "txt"}


def render(markers: Sequence[Marker], fmt: str, title: str, fps: int = 30,
           start_hour: int = 0) -> str:
    if fmt == "csv":
        return to_csv(markers, fps)
    if fmt == "edl":
        return to_edl(markers, title, fps, start_hour)
    if fmt == "chapters":
        return to_chapters(markers)
    raise ValueError(f"unknown marker format {fmt!r}; one of {', '.join(FORMATS)}")
