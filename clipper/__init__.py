"""The clipper service: pending detections in PostgreSQL -> Twitch clips (`chatlake clipper`)."""

from clipper.service import ClipperConfig, ClipperService, ClipperStartupError

__all__ = ["ClipperConfig", "ClipperService", "ClipperStartupError"]
