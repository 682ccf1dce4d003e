import pytest

from ingest.chat_import import _Pacer


def test_replay_pace_scales_chat_time_by_speed():
    pacer = _Pacer(speed=10)
    assert pacer.delay_until(1_000_000) <= 0  # the first message goes at once
    # 10 s of chat later at 10x: due one second after the first message was sent.
    assert 0.9 < pacer.delay_until(1_010_000) <= 1.0
    assert pacer.delay_until(999_000) < 0  # out-of-order messages never wait


def test_speed_must_be_positive():
    with pytest.raises(ValueError, match="positive"):
        _Pacer(speed=0)
