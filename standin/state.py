"""What the stand-in knows: apps, users, tokens, live streams, clips. Plain data, no I/O.

Every mutation happens on the stand-in's event loop (the server marshals calls from other
threads there), so nothing here needs a lock.
"""

import secrets
import time
from dataclasses import dataclass, field

# Twitch user access tokens live about four hours; twitchio refreshes at add_token() when a
# token has an hour or less left, so anything shorter would refresh on every start.
USER_TOKEN_SECONDS = 14_400
APP_TOKEN_SECONDS = 5_000_000
DEFAULT_SCOPES = ("user:read:chat", "user:bot", "clips:edit")


def new_secret(prefix: str = "", length: int = 30) -> str:
    # Lowercase letters and digits, like Twitch's: URL-safe, so no client quotes them twice.
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    return prefix + "".join(secrets.choice(alphabet) for _ in range(length))


@dataclass
class App:
    client_id: str
    client_secret: str
    name: str = "chatlake"


@dataclass
class User:
    user_id: str
    login: str
    display_name: str
    created_at: str = "2016-12-14T20:32:28Z"

    def helix(self) -> dict:
        return {
            "id": self.user_id, "login": self.login, "display_name": self.display_name,
            "type": "", "broadcaster_type": "partner", "description": "",
            "profile_image_url": "", "offline_image_url": "", "view_count": 0,
            "created_at": self.created_at,
        }


@dataclass
class Token:
    access_token: str
    client_id: str
    user_id: str | None  # None: an app access token (client_credentials)
    scopes: tuple[str, ...]
    expires_at: float
    refresh_token: str | None = None
    revoked: bool = False

    def expires_in(self, now: float) -> int:
        return max(0, int(self.expires_at - now))

    def valid(self, now: float) -> bool:
        return not self.revoked and self.expires_at > now


@dataclass
class Stream:
    user_id: str
    user_login: str
    viewer_count: int
    game_name: str = "Just Chatting"
    game_id: str = "509658"
    title: str = "live"
    started_at: str = "2024-01-01T00:00:00Z"
    language: str = "en"

    def helix(self) -> dict:
        return {
            "id": f"4{self.user_id}", "user_id": self.user_id, "user_login": self.user_login,
            "user_name": self.user_login, "game_id": self.game_id, "game_name": self.game_name,
            "type": "live", "title": self.title, "viewer_count": self.viewer_count,
            "started_at": self.started_at, "language": self.language,
            "thumbnail_url": f"https://static-cdn.invalid/previews-ttv/live_user_{self.user_login}"
            "-{width}x{height}.jpg",
            "tag_ids": [], "tags": [], "is_mature": False,
        }


@dataclass
class Clip:
    clip_id: str
    broadcaster_id: str
    broadcaster_name: str
    creator_id: str
    creator_name: str
    title: str
    duration: float
    created_at: str
    visible_at: float  # monotonic-ish wall time after which Get Clips returns it
    has_delay: bool = False
    video_id: str = ""  # set for clips made from a VOD
    vod_offset: int | None = None  # where the clip starts in that VOD, as Get Clips says

    def helix(self, base_url: str) -> dict:
        return {
            "id": self.clip_id,
            "url": f"{base_url}/clip/{self.clip_id}",
            "embed_url": f"{base_url}/embed/clip?clip={self.clip_id}",
            "broadcaster_id": self.broadcaster_id, "broadcaster_name": self.broadcaster_name,
            "creator_id": self.creator_id, "creator_name": self.creator_name,
            "video_id": self.video_id, "game_id": "509658", "language": "en", "title": self.title,
            "view_count": 0, "created_at": self.created_at,
            "thumbnail_url": f"{base_url}/clip-thumbnails/{self.clip_id}-preview-480x272.jpg",
            "duration": self.duration, "vod_offset": self.vod_offset, "is_featured": False,
        }


@dataclass
class Vod:
    """A past broadcast that Create Clip from VOD can cut."""

    vod_id: str
    user_id: str
    length_s: int


@dataclass
class World:
    """The stand-in's whole state."""

    apps: dict[str, App] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    tokens: dict[str, Token] = field(default_factory=dict)
    refresh_tokens: dict[str, Token] = field(default_factory=dict)
    codes: dict[str, dict] = field(default_factory=dict)  # authorization code -> grant
    streams: list[Stream] = field(default_factory=list)  # in ranking order
    streams_page_overlap: int = 0
    clip_forbidden: set[str] = field(default_factory=set)
    clips: dict[str, Clip] = field(default_factory=dict)
    vods: dict[str, Vod] = field(default_factory=dict)
    editors: dict[str, set[str]] = field(default_factory=dict)  # broadcaster id -> user ids
    authorizing_user: str | None = None  # who "clicks Authorize" at /oauth2/authorize

    def user_by_login(self, login: str) -> User | None:
        return next((u for u in self.users.values() if u.login == login.lower()), None)

    def may_edit(self, user_id: str, broadcaster_id: str) -> bool:
        return user_id == broadcaster_id or user_id in self.editors.get(broadcaster_id, ())

    def live(self, user_id: str) -> Stream | None:
        return next((s for s in self.streams if s.user_id == user_id), None)

    def issue(self, *, client_id: str, user_id: str | None, scopes: tuple[str, ...],
              expires_in: int | None = None, now: float | None = None) -> Token:
        now = time.time() if now is None else now
        if expires_in is None:
            expires_in = USER_TOKEN_SECONDS if user_id else APP_TOKEN_SECONDS
        token = Token(
            access_token=new_secret(), client_id=client_id, user_id=user_id, scopes=scopes,
            expires_at=now + expires_in,
            refresh_token=new_secret(length=50) if user_id else None,
        )
        self.tokens[token.access_token] = token
        if token.refresh_token:
            self.refresh_tokens[token.refresh_token] = token
        return token

    def rotate(self, old: Token, now: float | None = None) -> Token:
        """Refresh: a new access and refresh token; the old refresh token stops working."""
        self.refresh_tokens.pop(old.refresh_token or "", None)
        old.revoked = True
        return self.issue(client_id=old.client_id, user_id=old.user_id, scopes=old.scopes,
                          now=now)
