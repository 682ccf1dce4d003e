"""The detection rules on tiny inputs with readable times (chatlake_contracts.detector), and
the reference's windowing (detector.reference)."""

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from chatlake_contracts.detector import ChannelState, DetectorParams, baseline_stats, run, step

from detector import reference as detection
from tests.detector.support import P, at, windows


def fired_at(found) -> list[str]:
    return [datetime.fromtimestamp(d.window_end / 1000, UTC).strftime("%H:%M:%S") for d in found]


def test_nothing_fires_during_the_baseline():
    assert run(P, windows("12:00:00", [2, 2, 2, 2, 2, 2, 2, 2, 2, 100])) == []


def test_first_window_after_the_baseline_can_fire():
    found = run(P, windows("12:00:00", [2] * 10 + [50]))
    assert fired_at(found) == ["12:00:11"]
    assert (found[0].baseline_mean, found[0].baseline_std, found[0].threshold) == (2.0, 0.0, 2.0)


def test_threshold_uses_population_std():
    history = [1, 3] * 5  # mean 2, population std 1 (sample std would be 1.054)
    assert baseline_stats(history, 3.0) == (2.0, 1.0, 5.0)
    assert run(P, windows("12:00:00", [*history, 5])) == []  # 5 is not > 5
    assert fired_at(run(P, windows("12:00:00", [*history, 6]))) == ["12:00:11"]


def test_min_count_keeps_a_quiet_channel_quiet():
    assert run(P, windows("12:00:00", [0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 4])) == []


def test_missing_windows_count_as_zeros():
    # Only two rows before 12:00:10: the eight empty windows between are zeros in the baseline.
    rows = windows("12:00:00", [3, None, None, None, None, None, None, None, None, 3, 6])
    found = run(P, rows)
    assert fired_at(found) == ["12:00:11"]
    assert found[0].baseline_mean == 0.6  # (3 + 3) / 10


def test_a_gap_longer_than_the_baseline_starts_a_new_baseline():
    rows = windows("12:00:00", [2] * 10) + windows("12:01:00", [2] * 9 + [50])
    assert run(P, rows) == []  # 12:01:10 is only the tenth window of the new baseline
    rows = windows("12:00:00", [2] * 10) + windows("12:01:00", [2] * 10 + [50])
    assert fired_at(run(P, rows)) == ["12:01:11"]


def test_a_gap_of_exactly_the_baseline_keeps_it_as_zeros():
    rows = windows("12:00:00", [2] * 10) + windows("12:00:20", [6])
    found = run(P, rows)
    assert fired_at(found) == ["12:00:21"]
    assert found[0].baseline_mean == 0.0


def test_cooldown_suppresses_detections_for_its_length():
    # 12:00:13 would fire (60 > threshold 50) but is 2 s after 12:00:11; 12:00:14 is 3 s after.
    counts = [2] * 10 + [50, 2, 60, 500]
    assert fired_at(run(P, windows("12:00:00", counts))) == ["12:00:11", "12:00:14"]
    assert fired_at(run(P, windows("12:00:00", [2] * 10 + [50, 2, 60]))) == ["12:00:11"]


def test_windows_fired_or_not_enter_the_baseline():
    state = ChannelState()
    for row in windows("12:00:00", [2] * 10 + [50]):
        step(state, P, *row)
    assert state.history == [2] * 9 + [50]
    assert state.last_window_end == at("12:00:11")


def test_late_and_duplicate_windows_are_ignored():
    state = ChannelState()
    rows = windows("12:00:00", [2] * 12)
    for row in rows:
        step(state, P, *row)
    before = (list(state.history), state.last_window_end)
    assert step(state, P, *rows[5]) is None
    assert (state.history, state.last_window_end) == before


def test_channels_are_independent():
    rows = windows("12:00:00", [2] * 10 + [50], "a") + windows("12:00:05", [2] * 10 + [50], "b")
    found = run(P, rows)
    assert [(d.broadcaster_id, fired_at([d])[0]) for d in found] == [
        ("a", "12:00:11"), ("b", "12:00:16")]


def test_parameters_are_checked():
    with pytest.raises(ValueError):
        DetectorParams(bucket_ms=5_000, baseline_ms=7_000)


def message(clock: str, ms: int = 0, **fields):
    record = {"broadcaster_id": "c1", "timestamp": at(clock) + ms, "text": "hi",
              "user_id": "u1", "user_name": "one"}
    return record | fields


def test_reference_windows_count_messages_and_chatters_per_epoch_aligned_bucket():
    records = [
        message("12:00:00", 0), message("12:00:00", 4_999, user_id="u2"),
        message("12:00:05", 0, user_id=None, user_name="anon"),  # chatter falls back to name
        message("12:00:05", 1, text="!uptime"),  # a command: not counted
        message("12:00:05", 2, broadcaster_id=""),  # no channel: not counted
        message("12:00:05", 3, timestamp=1_700_000),  # seconds, not ms: not counted
        message("12:00:05", 4, text=""),  # an empty message still counts
    ]
    assert detection.windows_from_records(records) == [
        ("c1", at("12:00:00"), at("12:00:05"), 2, 2),
        ("c1", at("12:00:05"), at("12:00:10"), 2, 2),
    ]


def test_state_kept_under_longer_baseline_and_smoothing_still_fires_at_once():
    """After a restart with shorter settings the stored history and smoothing are longer than
    the new parameters need: the first window is judged on the newest part only."""
    params = replace(P, baseline_ms=4 * P.bucket_ms, k=1.0, min_count=0, smooth=2)
    state = ChannelState(last_window_end=10 * P.bucket_ms, history=[9, 9, 1, 1, 1, 1],
                         recent=[7, 7, 0])
    found = step(state, params, "c", 10 * P.bucket_ms, 11 * P.bucket_ms, 5, 5)
    assert found is not None and found.message_count == 5  # 5 + 0 > mean 1 + 1 * std 0
    assert state.history == [1, 1, 1, 5] and state.recent == [5]
