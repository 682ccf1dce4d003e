import types

import pytest

import ingest.chat_import as chat_import
from ingest.chat_import import _Pacer


def test_replay_pace_scales_chat_time_by_speed(monkeypatch):
    clock = types.SimpleNamespace(now=50.0)
    # Only the pacer's view of time is virtual: no wall-clock assertion.
    monkeypatch.setattr(chat_import, "time", types.SimpleNamespace(monotonic=lambda: clock.now))
    pacer = _Pacer(speed=10)
    assert pacer.delay_until(1_000_000) == 0  # the first message goes at once
    # 10 s of chat later at 10x: due one second after the first message was sent.
    assert pacer.delay_until(1_010_000) == pytest.approx(1.0)
    clock.now += 0.25
    assert pacer.delay_until(1_010_000) == pytest.approx(0.75)
    assert pacer.delay_until(999_000) < 0  # out-of-order messages never wait


def test_speed_must_be_positive():
    with pytest.raises(ValueError, match="positive"):
        _Pacer(speed=0)
