"""A small Helix client (aiohttp) for the stream monitor and the clipper.

    endpoint = HelixEndpoint.from_settings(settings)   # Twitch, or the stand-in when set
    async with HelixClient(endpoint, user=UserToken(TokenStore(path))) as helix:
        page = await helix.streams(first=100)

Why not pyTwitchAPI here: the clipper must see every status (403, 404, 429 with its
`Ratelimit-Reset`, 5xx) and time its own retries (2 s, 4 s), and pyTwitchAPI folds those into
its own exceptions and back-off. The live and stand-in configurations differ only in URLs and
the app's credentials, so the same code is what the tests exercise over sockets.

Tokens never reach a log line or an exception message: errors carry the status and Twitch's
message only.
"""

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from core.settings import Settings
from twitch.tokens import StoredToken, TokenFileError, TokenStore, app_credentials

log = logging.getLogger(__name__)

TRANSIENT_STATUSES = frozenset({429, 500, 502, 503, 504})
NO_RESPONSE = 0  # HelixError.status when the request timed out or the connection failed


@dataclass(frozen=True)
class HelixEndpoint:
    helix_url: str  # ends with "/helix/"
    auth_url: str  # ends with "/oauth2/"
    client_id: str
    client_secret: str = field(repr=False)
    timeout_s: float = 10.0

    @classmethod
    def from_settings(cls, settings: Settings, *, timeout_s: float | None = None
                      ) -> "HelixEndpoint":
        """Twitch, or the stand-in when CHATLAKE_TWITCH_STANDIN_URL is set."""
        client_id, client_secret = app_credentials(settings)
        return cls(settings.twitch.helix, settings.twitch.auth, client_id, client_secret,
                   timeout_s or settings.clipper.request_timeout_s)


class HelixError(Exception):
    """A Helix or OAuth call failed. `status` 0: no response (timeout, connection)."""

    def __init__(self, status: int, message: str, *, reset_at: float | None = None) -> None:
        super().__init__(f"HTTP {status}: {message}" if status else message)
        self.status = status
        self.message = message
        self.reset_at = reset_at  # 429: epoch seconds when the rate-limit bucket refills

    @property
    def transient(self) -> bool:
        return self.status == NO_RESPONSE or self.status in TRANSIENT_STATUSES


class TokenInvalidError(RuntimeError):
    """The user token was rejected and refreshing it failed: a person must seed it again."""


class UserToken:
    """The seeded user token: handed to requests, refreshed on 401, persisted when refreshed."""

    def __init__(self, store: TokenStore, *,
                 on_refresh: Callable[[], None] | None = None) -> None:
        self.store = store
        self.token: StoredToken = store.load()  # raises TokenFileError with a clear message
        self._lock = asyncio.Lock()
        self._on_refresh = on_refresh
        self.refreshes = 0

    @property
    def access_token(self) -> str:
        return self.token.access_token

    async def refresh(self, helix: "HelixClient", failed_access_token: str) -> None:
        async with self._lock:
            if self.token.access_token != failed_access_token:
                return  # another request refreshed it already
            try:
                access, refresh = await helix.refresh(self.token.refresh_token)
            except HelixError as error:
                if error.transient:
                    raise
                raise TokenInvalidError(
                    f"the Twitch user token was rejected and refreshing it failed "
                    f"({error}): run `uv run chatlake auth seed` again") from None
            self.token = self.store.update(access_token=access, refresh_token=refresh)
            self.refreshes += 1
            if self._on_refresh is not None:
                self._on_refresh()
            log.info("Twitch user token refreshed and saved to %s", self.store.path)


class HelixClient:
    def __init__(self, endpoint: HelixEndpoint, *, user: UserToken | None = None) -> None:
        self.endpoint = endpoint
        self.user = user
        self._session: aiohttp.ClientSession | None = None
        self._app_token: str | None = None

    async def __aenter__(self) -> "HelixClient":
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=self.endpoint.timeout_s))
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    # ---------- Helix ----------

    async def streams(self, *, first: int = 100, after: str | None = None,
                      user_ids: Sequence[str] = ()) -> tuple[list[dict], str | None]:
        """One page of live streams by viewers, and the next cursor (None on the last page)."""
        params: list[tuple[str, str]] = [("first", str(first))]
        if after:
            params.append(("after", after))
        params += [("user_id", user_id) for user_id in user_ids]
        body = await self.helix("GET", "streams", params)
        return body.get("data", []), (body.get("pagination") or {}).get("cursor")

    async def create_clip(self, broadcaster_id: str, *, title: str | None = None,
                          duration: float | None = None, has_delay: bool = False) -> dict:
        """202 {id, edit_url}; the clip becomes visible to Get Clips later."""
        params = [("broadcaster_id", broadcaster_id), ("has_delay", str(has_delay).lower())]
        if title:
            params.append(("title", title))
        if duration:
            params.append(("duration", f"{duration:g}"))
        body = await self.helix("POST", "clips", params, user=True)
        return body["data"][0]

    async def create_clip_from_vod(self, broadcaster_id: str, editor_id: str, vod_id: str,
                                   vod_offset: int, title: str, *,
                                   duration: float = 30.0) -> dict:
        """202 {id, edit_url}: a clip of a past broadcast ending at `vod_offset` seconds and
        starting `duration` earlier. The token's user (`editor_id`) must be the broadcaster or
        one of its editors (403 otherwise); an offset past the VOD's end is a 400."""
        if not 5 <= duration <= 60:
            raise ValueError(f"clip duration {duration:g} s is not between 5 and 60 s")
        if vod_offset < duration:
            raise ValueError(f"vod_offset {vod_offset} s is before the clip's {duration:g} s "
                             "could start (the clip ends at vod_offset)")
        params = [("broadcaster_id", broadcaster_id), ("editor_id", editor_id),
                  ("vod_id", vod_id), ("vod_offset", str(int(vod_offset))), ("title", title),
                  ("duration", f"{duration:g}")]
        body = await self.helix("POST", "videos/clips", params, user=True)
        return body["data"][0]

    async def clips_by_id(self, clip_ids: Sequence[str]) -> list[dict]:
        body = await self.helix("GET", "clips", [("id", c) for c in clip_ids], user=True)
        return body.get("data", [])

    async def clips_of(self, broadcaster_id: str, *, started_at: str | None = None,
                       ended_at: str | None = None, max_pages: int = 5) -> list[dict]:
        """A channel's visible clips (in [started_at, ended_at] where given), a few pages."""
        found: list[dict] = []
        after = None
        for _ in range(max_pages):
            params = [("broadcaster_id", broadcaster_id), ("first", "100")]
            params += [(k, v) for k, v in (("started_at", started_at), ("ended_at", ended_at),
                                           ("after", after)) if v]
            body = await self.helix("GET", "clips", params, user=True)
            found += body.get("data", [])
            after = (body.get("pagination") or {}).get("cursor")
            if not after:
                break
        return found

    async def helix(self, method: str, path: str, params: Sequence[tuple[str, str]] = (),
                    *, user: bool = False) -> dict[str, Any]:
        """One Helix call with the user token (`user=True`) or an app token; a 401 refreshes
        the token once and retries."""
        for attempt in (1, 2):
            token = await self._token(user)
            try:
                return await self._call(method, self.endpoint.helix_url + path, params,
                                        bearer=token)
            except HelixError as error:
                if error.status != 401 or attempt == 2:
                    raise
                log.info("Helix answered 401 (%s); refreshing the %s token", error.message,
                         "user" if user else "app")
                if user:
                    assert self.user is not None
                    await self.user.refresh(self, token)
                else:
                    self._app_token = None
        raise AssertionError("unreachable")

    async def _token(self, user: bool) -> str:
        if user:
            if self.user is None:
                raise TokenFileError("this call needs the seeded user token")
            return self.user.access_token
        if self._app_token is None:
            body = await self._call("POST", self.endpoint.auth_url + "token", form={
                "client_id": self.endpoint.client_id,
                "client_secret": self.endpoint.client_secret,
                "grant_type": "client_credentials"})
            self._app_token = body["access_token"]
        return self._app_token

    # ---------- OAuth ----------

    async def validate(self, access_token: str) -> dict | None:
        """The token's {client_id, login, user_id, scopes, expires_in}, or None if invalid."""
        try:
            return await self._call("GET", self.endpoint.auth_url + "validate",
                                    headers={"Authorization": f"OAuth {access_token}"})
        except HelixError as error:
            if error.status == 401:
                return None
            raise

    async def refresh(self, refresh_token: str) -> tuple[str, str]:
        """A refresh_token grant: (new access token, new refresh token)."""
        body = await self._call("POST", self.endpoint.auth_url + "token", form={
            "client_id": self.endpoint.client_id, "client_secret": self.endpoint.client_secret,
            "grant_type": "refresh_token", "refresh_token": refresh_token})
        return body["access_token"], body["refresh_token"]

    # ---------- the wire ----------

    async def _call(self, method: str, url: str, params: Sequence[tuple[str, str]] = (), *,
                    bearer: str | None = None, form: dict[str, str] | None = None,
                    headers: dict[str, str] | None = None) -> dict[str, Any]:
        assert self._session is not None, "use HelixClient inside `async with`"
        sent = {"Client-Id": self.endpoint.client_id, **(headers or {})}
        if bearer:
            sent["Authorization"] = f"Bearer {bearer}"
        try:
            async with self._session.request(method, url, params=list(params), data=form,
                                             headers=sent) as response:
                body = await _json(response)
                if response.status >= 400:
                    raise HelixError(response.status, _message(body, response),
                                     reset_at=_reset_at(response))
                return body
        except (TimeoutError, aiohttp.ClientError) as error:
            # str(error) of a client error can hold the URL (no tokens there), keep it short.
            raise HelixError(NO_RESPONSE, f"no response from {method} {url.split('?')[0]} "
                             f"({type(error).__name__})") from None


async def _json(response: aiohttp.ClientResponse) -> dict[str, Any]:
    if response.status == 204:
        return {}
    try:
        body = await response.json(content_type=None)
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _message(body: dict, response: aiohttp.ClientResponse) -> str:
    message = body.get("message") or body.get("error") or response.reason or "error"
    return str(message)[:300]


def _reset_at(response: aiohttp.ClientResponse) -> float | None:
    if response.status != 429:
        return None
    try:
        return float(response.headers["Ratelimit-Reset"])
    except (KeyError, ValueError):
        return time.time() + 1.0
