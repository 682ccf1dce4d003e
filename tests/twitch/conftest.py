from tests.twitch.fixtures import twitch_standin

__all__ = ["twitch_standin"]
