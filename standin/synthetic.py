"""Synthetic chat: several channels at realistic rates, emote-heavy bursts at known times.

So that `chatlake demo` and tests run with no data at all. Deterministic for a seed.
Rates are Poisson per channel (busy channels tens of messages a second, quiet ones one);
each burst multiplies a channel's rate for 10-20 s and fills messages with one emote, the
pattern a highlight makes. `Burst`s are returned so a run can be scored against them.
The first burst comes after `first_burst_s` (default 6 min: past the detector's 5 min
baseline).
"""

import heapq
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass

from standin.chat_payload import chat_event

# Twitch global emotes with their real ids.
EMOTES = {"Kappa": "25", "PogChamp": "88", "LUL": "425618", "Kreygasm": "41", "4Head": "354",
          "BibleThump": "86", "ResidentSleeper": "245", "NotLikeThis": "58765",
          "SeemsGood": "64138", "TriHard": "120232"}
BURST_EMOTES = ("PogChamp", "LUL", "Kreygasm", "NotLikeThis")
WORDS = ("gg", "nice", "what", "lol", "chat", "is", "this", "real", "no", "way", "let's",
         "go", "clip", "it", "that", "was", "insane", "wp", "true", "hi", "omg", "bro")


@dataclass(frozen=True)
class SyntheticChannel:
    broadcaster_id: str
    login: str
    rate_per_s: float
    viewer_count: int


@dataclass(frozen=True)
class Burst:
    broadcaster_id: str
    start_s: float  # seconds from the start of the generated chat
    duration_s: float
    multiplier: float
    emote: str


def synthetic_channels(count: int = 6) -> list[SyntheticChannel]:
    """`count` channels, the busiest first (the stand-in's ranking order)."""
    return [SyntheticChannel(broadcaster_id=str(7_100_000 + i), login=f"synth_streamer_{i}",
                             rate_per_s=round(24 / (1 + i * 0.9), 2),
                             viewer_count=60_000 // (1 + i))
            for i in range(count)]


def burst_schedule(channels: list[SyntheticChannel], duration_s: float, *, seed: int = 7,
                   first_burst_s: float = 360.0, every_s: float = 240.0) -> list[Burst]:
    rng = random.Random(seed)  # noqa: S311 - reproducible chat, not secrets
    bursts = []
    for index, channel in enumerate(channels):
        at = first_burst_s + index * 20.0
        while at < duration_s:
            bursts.append(Burst(channel.broadcaster_id, at, rng.uniform(10, 20),
                                rng.uniform(6, 10), rng.choice(BURST_EMOTES)))
            at += every_s + rng.uniform(-30, 30)
    return bursts


def generate(channels: list[SyntheticChannel], duration_s: float, *, seed: int = 7,
             bursts: list[Burst] | None = None) -> Iterator[tuple[float, dict]]:
    """(seconds from start, channel.chat.message event) in time order, for `duration_s`
    (math.inf: forever)."""
    rng = random.Random(seed)  # noqa: S311 - reproducible chat, not secrets
    if bursts is None:
        bursts = burst_schedule(channels, duration_s if math.isfinite(duration_s) else 86_400,
                                seed=seed)
    by_channel = {c.broadcaster_id: [b for b in bursts if b.broadcaster_id == c.broadcaster_id]
                  for c in channels}
    heap = [(rng.expovariate(c.rate_per_s), i) for i, c in enumerate(channels)]
    heapq.heapify(heap)
    serial = 0
    while heap:
        at, index = heapq.heappop(heap)
        if at >= duration_s:
            continue
        channel = channels[index]
        burst = next((b for b in by_channel[channel.broadcaster_id]
                      if b.start_s <= at < b.start_s + b.duration_s), None)
        serial += 1
        yield at, _message(rng, channel, burst, serial)
        rate = channel.rate_per_s * (burst.multiplier if burst else 1.0)
        heapq.heappush(heap, (at + rng.expovariate(rate), index))


def _message(rng: random.Random, channel: SyntheticChannel, burst: Burst | None,
             serial: int) -> dict:
    if burst is not None and rng.random() < 0.8:
        parts = [burst.emote] * rng.randint(1, 4)
    else:
        parts = [rng.choice(WORDS) for _ in range(rng.randint(1, 8))]
        if rng.random() < 0.3:
            parts.insert(rng.randint(0, len(parts)), rng.choice(list(EMOTES)))
    text, emotes, at = " ".join(parts), [], 0
    for word in parts:
        if word in EMOTES:
            emotes.append({"emote_id": EMOTES[word], "begin": at, "end": at + len(word)})
        at += len(word) + 1
    chatter = rng.randint(1, 800)
    badges = [{"set_id": "subscriber", "version": "12"}] if chatter % 3 == 0 else []
    if chatter % 97 == 0:
        badges.append({"set_id": "moderator", "version": "1"})
    return chat_event(
        broadcaster_id=channel.broadcaster_id, broadcaster_login=channel.login, text=text,
        chatter_id=str(9_000_000 + chatter), chatter_login=f"viewer_{chatter}",
        message_id=f"synth-{channel.broadcaster_id}-{serial}", emotes=emotes, badges=badges,
        message_type="user_intro" if rng.random() < 0.01 else "text")
