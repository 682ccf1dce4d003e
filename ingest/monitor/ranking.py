"""The top live streams, read page by page from Get Streams and deduplicated by user id.

Twitch's pages are computed against a ranking that moves between calls, so a stream can show
up on two pages (or be skipped). The first sighting wins: it is the higher rank.
"""

import math
from dataclasses import dataclass

from twitch.helix import HelixClient


@dataclass(frozen=True)
class LiveStream:
    broadcaster_id: str
    login: str
    rank: int  # 1 = most viewers, after deduplication
    viewer_count: int
    # What the stream is about, as Get Streams says (None when the poll did not say).
    game_id: str | None = None
    game_name: str | None = None
    title: str | None = None
    language: str | None = None
    started_at: str | None = None  # ISO 8601, the broadcast's start


@dataclass(frozen=True)
class Ranking:
    streams: list[LiveStream]
    pages: int
    duplicates: int  # sightings dropped because an earlier page had the stream

    def by_id(self) -> dict[str, LiveStream]:
        return {stream.broadcaster_id: stream for stream in self.streams}

    def viewers_at(self, rank: int) -> int | None:
        """Viewer count of the stream at `rank`, None when fewer streams are live."""
        return self.streams[rank - 1].viewer_count if len(self.streams) >= rank else None


async def top_streams(helix: HelixClient, count: int, *, page_size: int = 100) -> Ranking:
    """The `count` most-watched live streams (fewer if fewer are live)."""
    seen: dict[str, dict] = {}
    duplicates = pages = 0
    after: str | None = None
    # Overlapping pages add few new streams each; a bound keeps a buggy cursor from looping.
    max_pages = 2 * math.ceil(count / page_size) + 3
    while len(seen) < count and pages < max_pages:
        data, after = await helix.streams(first=min(page_size, 100), after=after)
        pages += 1
        for item in data:
            if item["user_id"] in seen:
                duplicates += 1
            else:
                seen[item["user_id"]] = item
        if not after or not data:
            break
    streams = [LiveStream(item["user_id"], item["user_login"], rank,
                          int(item.get("viewer_count") or 0), item.get("game_id") or None,
                          item.get("game_name") or None, item.get("title") or None,
                          item.get("language") or None, item.get("started_at") or None)
               for rank, item in enumerate(list(seen.values())[:count], start=1)]
    return Ranking(streams, pages, duplicates)
