"""Prometheus metrics of the lake archiver, read from it at scrape time (it counts already:
`archived`, `dead_lettered`); nothing is added to its loop.

    collector = watch_archiver(archiver)
    server = core.metrics.serve(host, settings.metrics.archiver_port)
"""

import contextlib
import time
from collections.abc import Iterator
from typing import Any

from prometheus_client import REGISTRY
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector


class ArchiverCollector(Collector):
    def __init__(self, archiver: Any) -> None:
        self.archiver = archiver
        self._last = (-1, time.time())  # (archived, when it last changed)

    def collect(self) -> Iterator[Any]:
        archived = int(self.archiver.archived)
        if archived != self._last[0]:
            self._last = (archived, time.time())
        yield CounterMetricFamily("chatlake_archiver_records_archived",
                                  "Records written to the lake and committed.", value=archived)
        yield CounterMetricFamily("chatlake_archiver_optout_dropped",
                                  "Records of opted-out users or channels not written.",
                                  value=int(getattr(self.archiver, "opted_out_dropped", 0)))
        yield CounterMetricFamily("chatlake_archiver_dead_letters",
                                  "Records the archiver could not parse (to dead_letters).",
                                  value=int(self.archiver.dead_lettered))
        yield GaugeMetricFamily("chatlake_archiver_last_progress_timestamp_seconds",
                                "When the archived count last grew (epoch s; start-up time "
                                "until the first commit).", value=self._last[1])


_watched: list[ArchiverCollector] = []


def watch_archiver(archiver: Any) -> ArchiverCollector:
    """Expose an archiver's counters (replaces one watched before)."""
    for old in _watched:
        with contextlib.suppress(KeyError):
            REGISTRY.unregister(old)
    _watched.clear()
    collector = ArchiverCollector(archiver)
    REGISTRY.register(collector)
    _watched.append(collector)
    return collector
