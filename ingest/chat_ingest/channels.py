"""Which channels the ingest reads: the monitor's online channels plus any fixed ones, capped.

Twitch lets one user read at most 100 non-moderated channels; we stay under `cap` (95 by
default) and, when more are online, keep the best-ranked ones (then the longest followed).
"""

import logging
import math
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Followed:
    broadcaster_id: str
    login: str
    rank: int | None
    since_ms: int
    reason: str | None = None


class ChannelBook:
    def __init__(self, static: tuple[str, ...] = (), cap: int = 95) -> None:
        self.static = tuple(dict.fromkeys(static))
        self.cap = cap
        self.online: dict[str, Followed] = {}
        self._over_cap_logged = 0

    def apply(self, event: dict) -> None:
        """Fold in one validated stream-lifecycle event."""
        channel = event["broadcaster_id"]
        if event["event_type"] == "online":
            previous = self.online.get(channel)
            self.online[channel] = Followed(
                channel, event["broadcaster_login"], event.get("rank"),
                previous.since_ms if previous else event["timestamp"], event.get("reason"))
        else:
            self.online.pop(channel, None)

    def replace(self, followed: list[Followed]) -> None:
        """A shard's channels, as the monitor assigned them (instead of stream-lifecycle)."""
        self.online = {f.broadcaster_id: Followed(
            f.broadcaster_id, f.login, f.rank,
            self.online[f.broadcaster_id].since_ms if f.broadcaster_id in self.online
            else f.since_ms, f.reason) for f in followed}

    def wanted(self) -> list[str]:
        ranked = sorted(self.online.values(),
                        key=lambda f: (math.inf if f.rank is None else f.rank, f.since_ms))
        chosen = list(self.static[: self.cap])
        for followed in ranked:
            if len(chosen) >= self.cap:
                break
            if followed.broadcaster_id not in chosen:
                chosen.append(followed.broadcaster_id)
        left_out = len(set(self.static) | set(self.online)) - len(chosen)
        if left_out > 0 and left_out != self._over_cap_logged:
            log.warning("%d online channels are not read: the cap is %d channels", left_out,
                        self.cap)
        self._over_cap_logged = left_out
        return chosen
