"""Prometheus metrics of the Twitch-side services: the monitor, the chat ingest, the clipper.

Each service is its own process and serves `/metrics` on its own port (settings
`metrics_monitor_port`, `metrics_ingest_port`, `metrics_clipper_port`; 0 turns it off):

    server = metrics.serve(settings.metrics_host, settings.metrics_clipper_port)
    ...
    server.close()

Monitor and clipper update the metrics below themselves. The chat ingest service is read at
scrape time instead, so its hot path pays nothing: in `chatlake ingest`, after building the
service, call

    metrics.watch_ingest(service)        # registers a collector reading its counters
    server = metrics.serve(settings.metrics_host, settings.metrics_ingest_port)

It reads `service.stats.counts` ("received", "dead_letters", "token_refreshes"),
`service.publisher.stats` ("published", "dropped", "send_failures"),
`service.publisher.buffered`, `service.publisher.connected`, `service.stats.subscribed`, and
whether twitchio holds a connected EventSub socket. Messages per second is
`rate(chatlake_ingest_messages_received_total[1m])`.
"""

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from wsgiref.simple_server import WSGIServer

from prometheus_client import REGISTRY, Counter, Gauge, Histogram, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

if TYPE_CHECKING:
    from ingest.monitor.cycle import CycleReport

# ---------- monitor ----------
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

# ---------- clipper ----------
CLIPS = Counter("chatlake_clipper_clips_total", "Detections finished, by outcome.",
                ["outcome"])  # completed | failed
CLIP_FAILURES = Counter("chatlake_clipper_failures_total", "Failed detections, by reason kind.",
                        ["kind"])  # forbidden | offline | transient | not_visible | too_late ...
CREATE_CALLS = Counter("chatlake_clipper_create_calls_total", "Create Clip calls, by answer.",
                       ["status"])  # 202 | 403 | 404 | 429 | 503 | timeout ...
CLIPS_IN_FLIGHT = Gauge("chatlake_clipper_in_flight", "Detections being clipped now.")
CLIP_SECONDS = Histogram("chatlake_clipper_detection_to_clip_seconds",
                         "From the detection time to the completed clip.",
                         buckets=(15, 20, 25, 30, 40, 60, 90, 120, 300))
CLIPPER_TOKEN_REFRESHES = Counter("chatlake_clipper_token_refreshes_total",
                                  "User token refreshes done (and persisted) by the clipper.")


def monitor_cycle_done(report: "CycleReport") -> None:
    MONITOR_FOLLOWED.set(len(report.followed))
    MONITOR_LIVE_POLLED.set(report.live_polled)
    for transition in report.joins + report.leaves:
        MONITOR_TRANSITIONS.labels(transition.event_type, transition.kind).inc()
    MONITOR_CYCLES.labels("ok").inc()
    MONITOR_LAST_CYCLE.set(report.at.timestamp())


def monitor_cycle_failed() -> None:
    MONITOR_CYCLES.labels("error").inc()


# ---------- ingest (read at scrape time) ----------


@dataclass(frozen=True)
class IngestReading:
    received: int
    published: int
    dead_letters: int
    dropped: int
    send_failures: int
    token_refreshes: int
    buffered: int
    channels: int
    kafka_connected: bool
    eventsub_connected: bool


def ingest_reading(service: Any) -> IngestReading:
    """A snapshot of a running `ingest.chat_ingest.ChatIngestService`."""
    counts, published = service.stats.counts, service.publisher.stats
    return IngestReading(
        received=counts["received"], published=published["published"],
        dead_letters=counts["dead_letters"], dropped=published["dropped"],
        send_failures=published["send_failures"], token_refreshes=counts["token_refreshes"],
        buffered=service.publisher.buffered, channels=len(service.stats.subscribed),
        kafka_connected=bool(service.publisher.connected),
        eventsub_connected=_eventsub_connected(service))


def _eventsub_connected(service: Any) -> bool:
    explicit = getattr(service, "eventsub_connected", None)
    if explicit is not None:
        return bool(explicit)
    client = getattr(service, "client", None)
    sockets = getattr(client, "_websockets", None) or {}  # twitchio 3 keeps them here
    with contextlib.suppress(Exception):
        return any(socket.connected for pair in sockets.values() for socket in pair.values())
    return False


class IngestCollector(Collector):
    def __init__(self, service: Any) -> None:
        self.service = service

    def collect(self) -> Iterator[Any]:
        reading = ingest_reading(self.service)
        for name, help_text, value in (
                ("messages_received", "Chat notifications received from EventSub.",
                 reading.received),
                ("records_published", "Records acknowledged by Kafka (chat and dead letters).",
                 reading.published),
                ("dead_letters", "Events sent to the dead-letter topic.", reading.dead_letters),
                ("records_dropped", "Records dropped (buffer full or lost at stop).",
                 reading.dropped),
                ("send_failures", "Records Kafka did not acknowledge (then retried).",
                 reading.send_failures),
                ("token_refreshes", "User token refreshes persisted.", reading.token_refreshes)):
            yield CounterMetricFamily(f"chatlake_ingest_{name}", help_text, value=value)
        for name, help_text, value in (
                ("buffered_records", "Records waiting for Kafka.", reading.buffered),
                ("channels", "Channels whose chat is subscribed.", reading.channels),
                ("kafka_connected", "1 while Kafka acknowledges sends.",
                 int(reading.kafka_connected)),
                ("eventsub_connected", "1 while an EventSub WebSocket is connected.",
                 int(reading.eventsub_connected))):
            yield GaugeMetricFamily(f"chatlake_ingest_{name}", help_text, value=value)


_watched: list[IngestCollector] = []


def watch_ingest(service: Any) -> IngestCollector:
    """Expose a chat ingest service's counters (replaces a service watched before)."""
    for old in _watched:
        with contextlib.suppress(KeyError):
            REGISTRY.unregister(old)
    _watched.clear()
    collector = IngestCollector(service)
    REGISTRY.register(collector)
    _watched.append(collector)
    return collector


# ---------- the endpoint ----------


class MetricsServer:
    def __init__(self, server: WSGIServer | None, thread: threading.Thread | None,
                 host: str, port: int) -> None:
        self._server, self._thread, self.host, self.port = server, thread, host, port

    @property
    def url(self) -> str | None:
        return f"http://{self.host}:{self.port}/metrics" if self._server else None

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


def serve(host: str, port: int) -> MetricsServer:
    """Serve the process's metrics at http://host:port/metrics (port 0: do nothing)."""
    if not port:
        return MetricsServer(None, None, host, 0)
    server, thread = start_http_server(port, addr=host)
    return MetricsServer(server, thread, host, server.server_address[1])
