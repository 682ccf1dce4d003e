"""Prometheus metrics of the chat ingest service, read at scrape time so its hot path pays
nothing. After building the service:

    metrics.watch_ingest(service)        # registers a collector reading its counters
    server = core.metrics.serve(settings.metrics.host, settings.metrics.ingest_port)

It reads `service.stats.counts` ("received", "dead_letters", "token_refreshes"),
`service.publisher.stats` ("published", "dropped", "send_failures"),
`service.publisher.buffered`, `service.publisher.connected`, `service.stats.subscribed`, and
whether twitchio holds a connected EventSub socket. Messages per second is
`rate(chatlake_ingest_messages_received_total[1m])`.
"""

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from prometheus_client import REGISTRY
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector


@dataclass(frozen=True)
class IngestReading:
    received: int
    published: int
    dead_letters: int
    dropped: int
    send_failures: int
    token_refreshes: int
    optout_dropped: int
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
        optout_dropped=counts["optout_dropped"],
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
                ("token_refreshes", "User token refreshes persisted.", reading.token_refreshes),
                ("optout_dropped", "Chat of opted-out users or channels dropped.",
                 reading.optout_dropped)):
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
