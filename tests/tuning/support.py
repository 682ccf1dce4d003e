"""Loading the shared Dota 2 / lirik chat once per session for the tuning tests."""

from pathlib import Path

from detector.backtest import Backtest
from detector.chat import from_files
from detector.labels import load_labels
from ingest.importers import ImportOptions

# The Dota 2 files have offsets only; the backtest's timeline is the offsets anyway.
DOTA_OPTIONS = ImportOptions(channel="dota2")


def dota2_backtest(shared_data: Path, limit: int | None = None) -> Backtest:
    folder = shared_data / "highlights" / "dota2"
    files = sorted(folder.glob("*.chat.json.gz"))[:limit]
    from datetime import UTC, datetime
    options = ImportOptions(channel="dota2", start=datetime(2020, 1, 1, tzinfo=UTC))
    return Backtest(from_files(files, options), load_labels(folder / "labels.csv"),
                    partial=limit is not None)
