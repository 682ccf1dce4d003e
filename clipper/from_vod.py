"""Detections of a past broadcast -> Create Clip from VOD at the lag-corrected offset.

A detection at `t` (video seconds, the window end) reacts to a moment about `chat_lag_s`
earlier (docs/tuning.md "Clip timing"). Twitch's clip from a VOD ends at `vod_offset` and starts
`duration` before it, so the clip is placed to start `lead_in_s` before the moment:
`vod_offset = t - chat_lag_s - lead_in_s + duration`, which keeps the moment and the chat peak
inside it for lags up to `duration - lead_in_s`.
"""

import json
import math
from dataclasses import dataclass
from pathlib import Path

from twitch.helix import HelixClient


class DetectionsError(ValueError):
    """The detections file cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class Detection:
    video_id: str
    time_s: float


@dataclass(frozen=True)
class PlannedClip:
    detection: Detection
    vod_id: str
    vod_offset: int  # where the clip ends, seconds into the VOD
    duration: float
    title: str

    @property
    def start_s(self) -> float:
        return self.vod_offset - self.duration


def read_detections(path: Path) -> list[Detection]:
    """`chatlake backtest ... --json` output (also of a lake replay, `--lake`): every video's
    `per_video.<video>.detections_s`."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise DetectionsError(f"{path}: cannot read ({error.strerror or error})") from None
    except (ValueError, UnicodeDecodeError):
        raise DetectionsError(f"{path}: not JSON (expected `chatlake backtest --json` "
                              "output)") from None
    videos = data.get("per_video") if isinstance(data, dict) else None
    if not isinstance(videos, dict):
        raise DetectionsError(f"{path}: no per_video object (expected `chatlake backtest "
                              "--json` output)")
    found = []
    for video, score in videos.items():
        times = score.get("detections_s") if isinstance(score, dict) else None
        if not isinstance(times, list) or not all(
                isinstance(t, int | float) and not isinstance(t, bool) and t >= 0
                for t in times):
            raise DetectionsError(f"{path}: video {video} has no list of non-negative "
                                  "detections_s (re-run `chatlake backtest --json`)")
        found += [Detection(str(video), float(t)) for t in times]
    if not found:
        raise DetectionsError(f"{path}: no detections to clip")
    return found


def plan(detections: list[Detection], *, chat_lag_s: float, duration: float = 30.0,
         lead_in_s: float = 10.0, vod_ids: dict[str, str] | None = None) -> list[PlannedClip]:
    """One clip per detection; `vod_ids` maps a video id to its VOD id (default: the same)."""
    if not 5 <= duration <= 60:  # also refuses NaN
        raise ValueError(f"--duration {duration:g} is not between 5 and 60 s")
    if not 0 <= lead_in_s < duration:  # also refuses NaN
        raise ValueError(f"--lead-in {lead_in_s:g} must be at least 0 and below the duration")
    if not math.isfinite(chat_lag_s) or chat_lag_s < 0:
        raise ValueError(f"--lag {chat_lag_s:g} must be a non-negative number")
    planned = []
    for detection in detections:
        end = round(detection.time_s - chat_lag_s - lead_in_s + duration)
        vod_offset = max(end, math.ceil(duration))  # a clip cannot start before the VOD
        title = f"chatlake highlight at {_clock(detection.time_s)}"
        planned.append(PlannedClip(detection, (vod_ids or {}).get(detection.video_id,
                                                                  detection.video_id),
                                   vod_offset, duration, title))
    return planned


async def create(helix: HelixClient, broadcaster_id: str, editor_id: str,
                 planned: PlannedClip) -> dict:
    """Create Clip from VOD for one planned clip: {id, edit_url}. HelixError propagates."""
    return await helix.create_clip_from_vod(broadcaster_id, editor_id, planned.vod_id,
                                            planned.vod_offset, planned.title,
                                            duration=planned.duration)


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"
