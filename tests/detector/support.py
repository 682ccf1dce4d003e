"""Helpers of the detector tests: tiny window series with readable times, and the shared Dota 2
chat loaded as a backtest."""

from datetime import UTC, datetime
from pathlib import Path

from chatlake_contracts.detector import DetectorParams

from detector.backtest import Backtest
from detector.chat import from_files
from detector.labels import load_labels
from ingest.importers import ImportOptions

# The Dota 2 files have offsets only; the backtest's timeline is the offsets anyway.
DOTA_OPTIONS = ImportOptions(channel="dota2")


def dota2_backtest(shared_data: Path, limit: int | None = None) -> Backtest:
    folder = shared_data / "highlights" / "dota2"
    files = sorted(folder.glob("*.chat.json.gz"))[:limit]
    options = ImportOptions(channel="dota2", start=datetime(2020, 1, 1, tzinfo=UTC))
    return Backtest(from_files(files, options), load_labels(folder / "labels.csv"),
                    partial=limit is not None)


# 1 s windows and a 10 s baseline keep the cases short; the rules do not depend on the sizes.
P = DetectorParams(bucket_ms=1_000, baseline_ms=10_000, k=3.0, cooldown_ms=3_000, min_count=5)
DAY = datetime(2024, 1, 6, tzinfo=UTC)


def at(clock: str) -> int:
    """'12:00:05' on a fixed day -> epoch ms."""
    h, m, s = (int(x) for x in clock.split(":"))
    return int(DAY.replace(hour=h, minute=m, second=s).timestamp() * 1000)


def windows(start: str, counts: list[int], channel: str = "c1") -> list[tuple]:
    """Consecutive 1 s windows from `start`; a count of None leaves the window out (no row)."""
    t0 = at(start)
    return [(channel, t0 + i * 1000, t0 + (i + 1) * 1000, c, c)
            for i, c in enumerate(counts) if c is not None]
