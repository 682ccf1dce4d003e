"""Response bodies, as msgspec Structs named for what they return.

Time series are columnar (`t` plus one list per measure, epoch seconds at each bucket's start):
that is what the charts consume, and it is a third the size of a list of objects.
"""

from datetime import datetime
from typing import Any

import msgspec


class Clip(msgspec.Struct):
    id: int
    clip_id: str | None
    broadcaster_id: str
    broadcaster_login: str | None
    status: str
    embed_url: str | None
    thumbnail_url: str | None
    title: str | None
    detected_at: datetime
    created_at: datetime | None
    window_end: datetime
    message_count: int | None
    # Standard deviations above the channel's baseline at detection; null without one.
    strength: float | None = None


class ClipPage(msgspec.Struct):
    clips: list[Clip]
    next_cursor: str | None = None


class Channel(msgspec.Struct):
    broadcaster_id: str
    login: str | None
    message_count: int
    first_message_at: datetime | None
    last_message_at: datetime | None
    completed_clips: int
    allows_clipping: bool | None
    third_party_emotes: int


class ChannelList(msgspec.Struct):
    channels: list[Channel]


class Detection(msgspec.Struct):
    id: int
    detected_at: datetime
    window_end: datetime
    message_count: int | None
    status: str
    clip_id: str | None


class Freshness(msgspec.Struct):
    """What a series was computed from: the marts build (when it was built, its newest
    message) up to that message, and the lake's newer rows after it. Both null: no build yet,
    the lake answered alone."""

    marts_built_at: datetime | None
    marts_through: datetime | None


class ChatActivity(msgspec.Struct):
    broadcaster_id: str
    interval: str
    start: datetime
    end: datetime
    t: list[int]
    messages: list[int]
    chatters: list[int]
    detections: list[Detection]
    freshness: Freshness


class ChatSentiment(msgspec.Struct):
    """Chat sentiment per bucket: messages by label (positive, neutral, negative), the mean
    score in [-1, 1] and the net sentiment (positive - negative) / messages; both null in a
    bucket without messages."""

    broadcaster_id: str
    interval: str
    start: datetime
    end: datetime
    t: list[int]
    messages: list[int]
    positive: list[int]
    neutral: list[int]
    negative: list[int]
    mean_score: list[float | None]
    net: list[float | None]
    freshness: Freshness


class EmoteCount(msgspec.Struct):
    name: str
    source: str  # twitch | 7tv | bttv | ffz
    emote_id: str | None
    uses: int


class EmoteList(msgspec.Struct):
    broadcaster_id: str
    start: datetime
    end: datetime
    emotes: list[EmoteCount]
    emote_set_known: bool
    freshness: Freshness


class EmoteUsage(msgspec.Struct):
    broadcaster_id: str
    emote: str
    interval: str
    start: datetime
    end: datetime
    t: list[int]
    uses: list[int]
    total: int
    freshness: Freshness


class ActiveChatters(msgspec.Struct):
    broadcaster_id: str
    interval: str
    start: datetime
    end: datetime
    t: list[int]
    active: list[int]
    new: list[int]
    distinct_chatters: int
    freshness: Freshness


class TuningResults(msgspec.Struct):
    available: bool
    table: str | None
    results: list[dict[str, Any]]


class Check(msgspec.Struct):
    name: str
    ok: bool
    detail: str


class Health(msgspec.Struct):
    status: str
    checks: list[Check] = msgspec.field(default_factory=list)


class ChatHeatmap(msgspec.Struct):
    """Chat by UTC weekday (rows, Monday first) by hour of day (columns), from the marts."""

    broadcaster_id: str
    messages: list[list[int]]
    hours_with_chat: list[list[int]]
    freshness: Freshness


class StreamParticipation(msgspec.Struct):
    stream_id: str
    stream_number: int
    source: str
    started_at: datetime
    ended_at: datetime | None
    duration_s: float | None
    messages: int
    active_chatters: int
    new_chatters: int
    returning_chatters: int
    regulars: int
    p50_messages_per_chatter: float | None
    p90_messages_per_chatter: float | None
    max_messages_per_chatter: int | None
    top_1_percent_share: float | None
    top_10_percent_share: float | None
    chatters_in_next_stream: int | None


class StreamList(msgspec.Struct):
    broadcaster_id: str
    streams: list[StreamParticipation]
    freshness: Freshness


class ChatLine(msgspec.Struct):
    sent_at: datetime
    login: str | None
    display_name: str | None
    text: str


class ClipChat(msgspec.Struct):
    """Live chat around a clip's detection window, oldest first."""

    id: int
    broadcaster_id: str
    start: datetime
    end: datetime
    messages: list[ChatLine]
    truncated: bool


class CommunitySummary(msgspec.Struct):
    period: str
    period_end: str | None
    channels: int
    edges: int
    communities: int
    modularity: float
    random_partition_modularity: float
    weight: str
    resolution: float
    seed: int


class Community(msgspec.Struct):
    community: int
    channels: int
    chatters_summed: int
    top_channel: str | None
    games: list[str]
    languages: list[str]
    label: str
    previous_community: int | None
    previous_jaccard: float | None


class CommunityChannel(msgspec.Struct):
    broadcaster_id: str
    broadcaster_login: str | None
    community: int
    chatters: int
    weighted_degree: float
    pagerank: float
    previous_community: int | None


class CommunityMap(msgspec.Struct):
    """A communities build of one overlap period (docs/communities.md)."""

    summary: CommunitySummary
    communities: list[Community]
    channels: list[CommunityChannel]  # highest PageRank first


class TuningVideoSummary(msgspec.Struct):
    video_id: str
    split: str | None
    labels: int  # labelled intervals
    detections: int  # where the run's chosen set fired


class TuningVideoList(msgspec.Struct):
    """The labelled videos of a tuning run (`tuning_videos`), by video id."""

    run_id: str
    videos: list[TuningVideoSummary]


class TuningVideo(msgspec.Struct):
    """A tuning run's chosen parameter set on one video: messages per window (window ends on
    the video's timeline, seconds), the labelled intervals and the detections (window ends)."""

    run_id: str
    video_id: str
    split: str | None
    bucket_s: float
    window_end_s: list[float]
    messages: list[int]
    labels: list[list[float]]
    detections: list[float]


class ChannelNeighbour(msgspec.Struct):
    broadcaster_id: str
    login: str | None
    shared_chatters: int
    jaccard_index: float
    overlap_coefficient: float
    directed_share: float  # of the asked channel's chatters, the share also chatting here
    chatters: int  # the asked channel's active chatters in the period
    other_chatters: int


class ChannelNeighbours(msgspec.Struct):
    """A channel's neighbours by shared active chatters in a period, most shared first."""

    broadcaster_id: str
    period: str
    neighbours: list[ChannelNeighbour]
    freshness: Freshness


class MapNode(msgspec.Struct):
    id: str
    name: str | None
    community: int
    chatters: int
    colour: str
    x: float
    y: float


class MapEdge(msgspec.Struct):
    s: int  # index into nodes
    t: int
    w: float


class MapCommunity(msgspec.Struct):
    community: int
    channels: int
    label: str
    colour: str


class CommunityLayout(msgspec.Struct):
    """A communities build laid out for a map: nodes in [-1, 1]², the strongest edges."""

    period: str
    nodes: list[MapNode]
    edges: list[MapEdge]
    communities: list[MapCommunity]


class StreamMetadata(msgspec.Struct):
    """A stream's game, title and language as last seen (`streams`, migration 0008)."""

    broadcaster_id: str
    started_at: datetime
    last_seen_at: datetime
    game_name: str | None
    title: str | None
    language: str | None
