"""A self-contained HTML page with an SVG plot of one video: chat rate over time, labelled
intervals as bands, detections as ticks with their clip spans. No plotting library: the page
opens in any browser and holds only counts and times, never chat text."""

import html

import numpy as np

from detector.backtest import Result
from detector.scoring import CLIP_AFTER_S, CLIP_BEFORE_S
from detector.windows import WindowSeries

WIDTH, HEIGHT, PAD = 1200, 320, 40


def plot_html(result: Result, series: WindowSeries, video: str,
              intervals: np.ndarray, title: str) -> str:
    if video not in series.video_ids:
        raise ValueError(f"video {video} is not in the input")
    mine = series.video == series.video_ids.index(video)
    ends, counts = series.end_s[mine], series.counts["messages"][mine]
    bucket_s = series.bucket_ms / 1000
    t0, t1 = float(ends[0] - bucket_s), float(ends[-1])
    top = max(1.0, float(counts.max()) / bucket_s)

    def x(t: float) -> float:
        return PAD + (t - t0) / max(t1 - t0, 1) * (WIDTH - 2 * PAD)

    def y(rate: float) -> float:
        return HEIGHT - PAD - rate / top * (HEIGHT - 2 * PAD)

    parts = []
    for start, end in intervals:
        parts.append(f'<rect x="{x(start):.1f}" y="{PAD}" width="{max(x(end) - x(start), 1):.1f}"'
                     f' height="{HEIGHT - 2 * PAD}" fill="#f5c542" opacity="0.45">'
                     f'<title>label {start:g}-{end:g} s</title></rect>')
    points = " ".join(f"{x(t):.1f},{y(c / bucket_s):.2f}" for t, c in zip(ends, counts,
                                                                           strict=True))
    parts.append(f'<polyline points="{points}" fill="none" stroke="#3465a4" stroke-width="1"/>')
    for t in result.detections_of(video):
        parts.append(f'<rect x="{x(t - CLIP_BEFORE_S):.1f}" y="{HEIGHT - PAD + 4}" '
                     f'width="{x(t + CLIP_AFTER_S) - x(t - CLIP_BEFORE_S):.1f}" height="6" '
                     f'fill="#cc0000" opacity="0.5"/>'
                     f'<line x1="{x(t):.1f}" x2="{x(t):.1f}" y1="{PAD}" y2="{HEIGHT - PAD}" '
                     f'stroke="#cc0000" stroke-width="1"><title>detection {t:g} s</title></line>')
    for tick in np.linspace(t0, t1, 9):
        parts.append(f'<text x="{x(tick):.1f}" y="{HEIGHT - 8}" font-size="11" '
                     f'text-anchor="middle">{tick / 60:.0f} min</text>')
    parts.append(f'<text x="4" y="{PAD - 8}" font-size="11">{top:.1f} msg/s</text>')
    score = result.per_video[result.videos.index(video)]
    caption = (f"{score.detections} detections, {score.true_positives} true positives, "
               f"{score.intervals_hit}/{score.intervals} labels hit")
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:sans-serif;margin:1em}}</style></head><body>
<h3>{html.escape(title)}</h3>
<p>blue: messages per second ({bucket_s:g} s windows); yellow: labelled highlights;
red lines: detections (window end), red bars: their clips [t-20 s, t+10 s]. {caption}.</p>
<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}"
 viewBox="0 0 {WIDTH} {HEIGHT}">{"".join(parts)}</svg>
</body></html>
"""
