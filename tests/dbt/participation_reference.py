"""Streams and participation computed directly in Python from live chat rows (the lake read
with pyarrow), for imported VODs: one stream per (channel, vod_id), as the marts define it."""

import math
from collections import Counter, defaultdict
from dataclasses import dataclass

import numpy as np


@dataclass
class StreamFigures:
    stream_id: str
    broadcaster_id: str
    stream_number: int
    started_at: object
    ended_at: object
    duration_s: float
    messages: int
    active_chatters: int
    new_chatters: int
    returning_chatters: int
    regulars: int
    p50_messages_per_chatter: float
    p90_messages_per_chatter: float
    max_messages_per_chatter: int
    top_1_percent_share: float
    top_10_percent_share: float
    chatters_in_next_stream: int | None
    top_chatters: list[tuple[str, int]]  # (chatter id, messages), rank order


def vod_stream_figures(rows: list[dict], min_streams: int, window: int,
                       top_k: int) -> dict[str, StreamFigures]:
    by_stream = defaultdict(list)
    for row in rows:
        by_stream[(row["broadcaster_id"], row["vod_id"])].append(row)
    channels = defaultdict(list)  # broadcaster -> [(started_at, stream_id, rows)]
    for (channel, vod_id), stream_rows in by_stream.items():
        started = min(r["timestamp"] for r in stream_rows)
        channels[channel].append((started, f"vod:{channel}:{vod_id}", stream_rows))
    figures = {}
    for channel, streams in channels.items():
        streams.sort(key=lambda s: (s[0], s[1]))
        counts = [Counter(r["chatter_id"] for r in stream_rows) for _, _, stream_rows in streams]
        first_stream = {}
        firsts = sorted((r["timestamp"], number, r["chatter_id"])
                        for number, (_, _, stream_rows) in enumerate(streams)
                        for r in stream_rows)
        for _, number, chatter in firsts:
            first_stream.setdefault(chatter, number)
        for number, (started, stream_id, stream_rows) in enumerate(streams):
            figures[stream_id] = _figures(channel, number, started, stream_id, stream_rows,
                                          counts, first_stream, min_streams, window, top_k)
    return figures


def _figures(channel, number, started, stream_id, stream_rows, counts, first_stream,
             min_streams, window, top_k) -> StreamFigures:
    per_chatter = counts[number]
    ended = max(r["timestamp"] for r in stream_rows)
    messages = sum(per_chatter.values())
    ordered = sorted(per_chatter.items(), key=lambda item: (-item[1], item[0]))
    values = np.array(list(per_chatter.values()))
    new = sum(1 for c in per_chatter if first_stream[c] == number)
    recent = counts[max(0, number - window + 1):number + 1]
    regulars = sum(1 for c in per_chatter if sum(c in s for s in recent) >= min_streams)
    following = counts[number + 1] if number + 1 < len(counts) else None

    def share(fraction: float) -> float:
        top = math.ceil(len(ordered) * fraction)
        return sum(n for _, n in ordered[:top]) / messages

    return StreamFigures(
        stream_id=stream_id, broadcaster_id=channel, stream_number=number + 1,
        started_at=started.replace(tzinfo=None), ended_at=ended.replace(tzinfo=None),
        duration_s=(ended - started).total_seconds(), messages=messages,
        active_chatters=len(per_chatter), new_chatters=new,
        returning_chatters=len(per_chatter) - new, regulars=regulars,
        p50_messages_per_chatter=float(np.percentile(values, 50)),
        p90_messages_per_chatter=float(np.percentile(values, 90)),
        max_messages_per_chatter=int(values.max()),
        top_1_percent_share=share(0.01), top_10_percent_share=share(0.10),
        chatters_in_next_stream=None if following is None
        else sum(1 for c in per_chatter if c in following),
        top_chatters=ordered[:top_k])
