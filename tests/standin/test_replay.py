"""The replay driver and the synthetic generator."""

import asyncio
import types

from ingest.importers import ImportOptions
from standin import replay as replay_module
from standin.replay import file_events, replay, synthetic_events
from standin.synthetic import burst_schedule, generate, synthetic_channels


def test_synthetic_chat_has_realistic_rates_and_emote_bursts_at_known_times():
    channels = synthetic_channels(4)
    bursts = burst_schedule(channels, 900)
    events = list(generate(channels, 900, bursts=bursts))
    assert [t for t, _ in events] == sorted(t for t, _ in events)
    per_channel = {c.broadcaster_id: 0 for c in channels}
    for _, event in events:
        per_channel[event["broadcaster_user_id"]] += 1
    busiest = channels[0].broadcaster_id
    assert 15 < per_channel[busiest] / 900 < 40  # tens of messages a second, plus bursts
    burst = next(b for b in bursts if b.broadcaster_id == busiest)
    assert burst.start_s >= 300  # after the detector's baseline

    def rate(start: float, length: float) -> float:
        return sum(1 for t, e in events if e["broadcaster_user_id"] == busiest
                   and start <= t < start + length) / length

    assert rate(burst.start_s, burst.duration_s) > 4 * rate(60, 120)
    inside = [e for t, e in events if e["broadcaster_user_id"] == busiest
              and burst.start_s <= t < burst.start_s + burst.duration_s]
    with_emote = sum(any(f["type"] == "emote" for f in e["message"]["fragments"])
                     for e in inside)
    assert with_emote / len(inside) > 0.7


class VirtualClock:
    """Stands in for the replay module's `time` and `asyncio.sleep`: sleeping advances it."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def monotonic(self) -> float:
        return self.now

    def time(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0.0)


def test_replay_plays_at_n_times_speed(monkeypatch):
    channels = synthetic_channels(2)
    events = list(synthetic_events(channels, 20))
    pushed: list = []
    clock = VirtualClock()
    # Only the replay module's view of time is virtual: no wall-clock assertion, no flakiness.
    monkeypatch.setattr(replay_module, "time", clock)
    monkeypatch.setattr(replay_module, "asyncio",
                        types.SimpleNamespace(sleep=clock.sleep, Event=asyncio.Event))

    sent = asyncio.run(replay(iter(events), pushed.extend, speed=20))

    assert sent == len(events) == len(pushed)
    last_offset = max(offset for offset, _, _ in events)
    assert abs((clock.now - 1_000.0) - last_offset / 20) <= replay_module.TICK_S
    assert all(ms is not None for _, ms in pushed)


def test_replay_reads_any_importer_file(tmp_path):
    log = tmp_path / "chat.log"
    log.write_text("1700000000 alice: hello Kappa\n1700000002 bob: hi\nnot a line\n")
    events = list(file_events(log, ImportOptions(channel="somechannel")))
    assert [round(t) for t, _, _ in events] == [0, 2]
    assert events[0][1]["message"]["text"] == "hello Kappa"
    assert events[0][1]["broadcaster_user_login"] == "somechannel"
