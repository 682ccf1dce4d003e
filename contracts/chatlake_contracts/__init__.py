"""Contracts shared by the chatlake services and the PyFlink detector.

Standard library only: this package is installed into both the main project and the
`streaming/` project, whose dependency pins (apache-flink, apache-beam) must never meet.
"""

from chatlake_contracts.detector import ChannelState, Detection, DetectorParams
from chatlake_contracts.errors import RecordError
from chatlake_contracts.topics import (
    CHAT_MESSAGES,
    CHAT_WINDOWS,
    DEAD_LETTERS,
    STREAM_LIFECYCLE,
    TOPICS,
)

__all__ = [
    "CHAT_MESSAGES",
    "CHAT_WINDOWS",
    "DEAD_LETTERS",
    "STREAM_LIFECYCLE",
    "TOPICS",
    "ChannelState",
    "Detection",
    "DetectorParams",
    "RecordError",
]
