"""Prometheus metrics of the stream monitor, updated by each cycle."""

import time
from collections.abc import Iterable
from datetime import datetime

from prometheus_client import Counter, Gauge

from ingest.monitor.rules import Transition

MONITOR_FOLLOWED = Gauge("chatlake_monitor_followed_channels",
                         "Channels the monitor follows (announced online) after the last cycle.")
MONITOR_TRANSITIONS = Counter(
    "chatlake_monitor_transitions_total", "Channels joined or left, by why.",
    ["event_type", "kind"])  # kind: entered_top | left_top | offline | clips_forbidden
MONITOR_CYCLES = Counter("chatlake_monitor_cycles_total", "Monitor cycles, by outcome.",
                         ["outcome"])
MONITOR_LAST_CYCLE = Gauge("chatlake_monitor_last_cycle_timestamp_seconds",
                           "When the last successful cycle finished (epoch seconds).")
MONITOR_LIVE_POLLED = Gauge("chatlake_monitor_live_streams_polled",
                            "Live streams read by the last cycle (after deduplication).")


def cycle_done(followed: int, live_polled: int, transitions: Iterable[Transition],
               at: datetime) -> None:
    MONITOR_FOLLOWED.set(followed)
    MONITOR_LIVE_POLLED.set(live_polled)
    for transition in transitions:
        MONITOR_TRANSITIONS.labels(transition.event_type, transition.kind).inc()
    MONITOR_CYCLES.labels("ok").inc()
    MONITOR_LAST_CYCLE.set(at.timestamp())


def cycle_failed() -> None:
    MONITOR_CYCLES.labels("error").inc()


def monitor_ready(interval_s: float) -> dict[str, bool]:
    """/health/ready of a monitor loop: a cycle succeeded within three intervals."""
    last = MONITOR_LAST_CYCLE._value.get()
    return {"recent_cycle": bool(last) and time.time() - last < 3 * interval_s + 30}
