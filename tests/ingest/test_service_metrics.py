"""The /metrics endpoint of the Twitch-side services, and the ingest collector reading a real
(not started) ChatIngestService's counters."""

import urllib.request

from clipper import metrics as clipper_metrics
from core import metrics
from ingest.chat_ingest import ChatIngestService
from ingest.chat_ingest.metrics import watch_ingest
from tests.standin.support import ingest_config, seeded_store
from tests.support import free_port


def scrape(server: metrics.MetricsServer) -> str:
    with urllib.request.urlopen(server.url, timeout=5) as response:
        return response.read().decode()


def test_ingest_collector_reads_the_service(twitch_standin, tmp_path):
    store = seeded_store(twitch_standin, tmp_path)
    service = ChatIngestService(ingest_config(twitch_standin, "127.0.0.1:1", store))
    service.stats.counts["received"] += 7
    service.stats.counts["dead_letters"] += 2
    service.stats.subscribed = {"1", "2", "3"}
    watch_ingest(service)
    server = metrics.serve("127.0.0.1", free_port())
    try:
        text = scrape(server)
    finally:
        server.close()
    assert "chatlake_ingest_messages_received_total 7.0" in text
    assert "chatlake_ingest_dead_letters_total 2.0" in text
    assert "chatlake_ingest_channels 3.0" in text
    assert "chatlake_ingest_eventsub_connected 0.0" in text
    assert "chatlake_ingest_kafka_connected 0.0" in text


def test_clipper_outcomes_are_exposed():
    clipper_metrics.CLIPS.labels("completed").inc(0)
    clipper_metrics.CLIP_FAILURES.labels("forbidden").inc(0)
    server = metrics.serve("127.0.0.1", free_port())
    try:
        text = scrape(server)
    finally:
        server.close()
    assert 'chatlake_clipper_clips_total{outcome="completed"}' in text
    assert 'chatlake_clipper_failures_total{kind="forbidden"}' in text
    assert "chatlake_clipper_in_flight" in text


def test_port_zero_serves_nothing():
    assert metrics.serve("127.0.0.1", 0).url is None
