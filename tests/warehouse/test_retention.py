"""Retention removes exactly the partitions past each dataset's limit: real Delta tables, and
the Dagster asset materialized with the settings' limits."""

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import dagster as dg
import pytest
from chatlake_contracts.chat import chat_message

from core.settings import RetentionSettings
from orchestration.defs.lake.retention import lake_retention
from orchestration.defs.resources import LakeResource
from warehouse.lake import table_from_records, to_lake_table
from warehouse.lake_schema import CHAT_MESSAGES, CHAT_WINDOWS
from warehouse.lake_store import LakeStore
from warehouse.retention import apply_retention

pytestmark = [pytest.mark.integration]


def day_ms(day: date, hour: int = 0) -> int:
    return int(datetime(day.year, day.month, day.day, hour, tzinfo=UTC).timestamp() * 1000)


def fill(store: LakeStore, today: date, days_back: int) -> None:
    """Chat on today and each of the `days_back` days before it, 3 messages a day (at
    00:00, 12:00, 23:00 so the edges of a day are in it), and windows the same days."""
    messages, windows = [], []
    for back in range(days_back + 1):
        day = today - timedelta(days=back)
        for hour in (0, 12, 23):
            messages.append(chat_message(message_id=f"{day}-{hour}", broadcaster_id="1",
                                         timestamp=day_ms(day, hour), text="hi",
                                         source="synthetic", user_id="5", user_name="u"))
        windows.append({"v": 1, "broadcaster_id": "1", "window_start": day_ms(day),
                        "window_end": day_ms(day) + 5000, "message_count": 3,
                        "chatter_count": 1})
    store.append(CHAT_MESSAGES.name, to_lake_table(table_from_records(messages, CHAT_MESSAGES),
                                                   CHAT_MESSAGES))
    store.append(CHAT_WINDOWS.name, to_lake_table(table_from_records(windows, CHAT_WINDOWS),
                                                  CHAT_WINDOWS))


def days_in(store: LakeStore, name: str) -> Counter:
    return Counter(r["date"] for r in store.open(name).to_pyarrow_table(
        columns=["date"]).to_pylist())


def test_retention_removes_exactly_the_partitions_past_the_limit(tmp_path):
    store = LakeStore(str(tmp_path / "lake"))
    today = date(2026, 12, 3)
    fill(store, today, days_back=10)
    windows_before = days_in(store, "chat_windows")
    results = apply_retention(store, {"chat_messages": 7}, today)
    kept = days_in(store, "chat_messages")
    assert sorted(kept) == [today - timedelta(days=b) for b in range(7, -1, -1)]
    assert all(n == 3 for n in kept.values())
    assert results[0].rows_deleted == 3 * 3 and results[0].cutoff == today - timedelta(days=7)
    assert days_in(store, "chat_windows") == windows_before  # no limit: untouched
    again = apply_retention(store, {"chat_messages": 7}, today)
    assert again[0].rows_deleted == 0


def test_a_limit_below_one_day_is_refused(tmp_path):
    with pytest.raises(ValueError, match="at least 1 day"):
        apply_retention(LakeStore(str(tmp_path / "lake")), {"chat_messages": 0}, date.today())


def test_the_dagster_asset_applies_the_settings_limits(tmp_path, monkeypatch):
    monkeypatch.setenv("CHATLAKE_RETENTION_DAYS_CHAT_WINDOWS", "2")
    limits = RetentionSettings().limits()
    assert limits == {"chat_windows": 2}
    store = LakeStore(str(tmp_path / "lake"))
    today = datetime.now(UTC).date()
    fill(store, today, days_back=5)
    messages_before = days_in(store, "chat_messages")
    result = dg.materialize([lake_retention], resources={
        "lake": LakeResource(uri=store.uri, retention_days=limits)})
    assert result.success
    assert sorted(days_in(store, "chat_windows")) == [today - timedelta(days=b)
                                                      for b in (2, 1, 0)]
    assert days_in(store, "chat_messages") == messages_before
