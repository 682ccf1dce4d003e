"""Helix endpoints under /helix/: users, streams, clips, videos, clips from VODs, eventsub
subscriptions.

Every call needs `Authorization: Bearer <token>` and a matching `Client-Id`; a bad or
expired token gets 401 "Invalid OAuth token" (the wording twitchio refreshes on).
"""

import base64
import time
import uuid
from datetime import UTC, datetime

from aiohttp import web

from standin.eventsub import SubscriptionError
from standin.faults import error_response, ratelimit_headers
from standin.state import Clip, Token
from standin.surface import StandInSurface

MAX_FIRST = 100
VOD_CLIP_SCOPES = {"editor:manage:clips", "channel:manage:clips"}


class HelixError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.response = error_response(status, message)


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f'{{"o":{offset}}}'.encode()).decode().rstrip("=")


def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        return max(0, int(raw.removeprefix('{"o":').removesuffix("}")))
    except (ValueError, UnicodeDecodeError) as error:
        raise HelixError(400, "invalid cursor") from error


def _first(request: web.Request, default: int = 20) -> int:
    try:
        first = int(request.query.get("first", default))
    except ValueError as error:
        raise HelixError(400, "first must be an integer") from error
    if not 1 <= first <= MAX_FIRST:
        raise HelixError(400, "first must be between 1 and 100")
    return first


def _page(items: list, request: web.Request, *, overlap: int = 0) -> tuple[list, dict]:
    """One page and its `pagination` object: {"cursor": ...} or {} on the last page.

    With `overlap` > 0 the next page starts that many items early, as Twitch's pages do when
    the ranking shifts between calls: clients must dedupe.
    """
    first = _first(request)
    start = _offset(request.query.get("after"))
    page = items[start:start + first]
    end = start + len(page)
    if end >= len(items) or not page:
        return page, {}
    return page, {"cursor": _cursor(max(start + 1, end - overlap))}


def routes(standin: StandInSurface) -> list[web.RouteDef]:
    world = standin.world

    def auth(request: web.Request, scope: str | None = None, *, user: bool = False) -> Token:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            raise HelixError(401, "OAuth token is missing")
        token = world.tokens.get(header.removeprefix("Bearer ").strip())
        if token is None or not token.valid(time.time()):
            raise HelixError(401, "Invalid OAuth token")
        if request.headers.get("Client-Id") != token.client_id:
            raise HelixError(401, "Client ID and OAuth token do not match")
        if user and token.user_id is None:
            raise HelixError(401, "a user access token is required")
        if scope and scope not in token.scopes:
            raise HelixError(401, f"Missing scope: {scope}")
        return token

    def reply(data: list, *, status: int = 200, pagination: dict | None = None,
              **extra: object) -> web.Response:
        body: dict = {"data": data, **extra}
        if pagination is not None:
            body["pagination"] = pagination
        return web.json_response(body, status=status, headers=ratelimit_headers())

    async def users(request: web.Request) -> web.Response:
        token = auth(request)
        ids, logins = request.query.getall("id", []), request.query.getall("login", [])
        if not ids and not logins:
            if token.user_id is None:
                raise HelixError(400, "id or login is required with an app access token")
            ids = [token.user_id]
        found = [world.users[i] for i in ids if i in world.users]
        found += [u for login in logins if (u := world.user_by_login(login)) is not None]
        return reply([u.helix() for u in found])

    async def streams(request: web.Request) -> web.Response:
        auth(request)
        live = world.streams
        if user_ids := request.query.getall("user_id", []):
            live = [s for s in live if s.user_id in user_ids]
        if logins := request.query.getall("user_login", []):
            live = [s for s in live if s.user_login in {x.lower() for x in logins}]
        if game_ids := request.query.getall("game_id", []):
            live = [s for s in live if s.game_id in game_ids]
        page, pagination = _page(live, request, overlap=world.streams_page_overlap)
        return reply([s.helix() for s in page], pagination=pagination)

    async def create_clip(request: web.Request) -> web.Response:
        token = auth(request, "clips:edit", user=True)
        broadcaster_id = request.query.get("broadcaster_id", "")
        stream = world.live(broadcaster_id)
        if stream is None:
            raise HelixError(404, "The broadcaster is not live")
        if broadcaster_id in world.clip_forbidden:
            raise HelixError(403, "The broadcaster has restricted the ability to capture clips")
        duration = float(request.query.get("duration", 30))
        if not 5 <= duration <= 60:
            raise HelixError(400, "duration must be between 5 and 60 seconds")
        clip_id = f"Stand{uuid.uuid4().hex[:12].title()}Clip"
        creator = world.users.get(token.user_id or "")
        world.clips[clip_id] = Clip(
            clip_id=clip_id, broadcaster_id=broadcaster_id, broadcaster_name=stream.user_login,
            creator_id=token.user_id or "", creator_name=creator.login if creator else "",
            title=request.query.get("title") or stream.title, duration=duration,
            created_at=datetime.now(tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            visible_at=time.time() + standin.clip_delay_s,
            has_delay=request.query.get("has_delay", "false").lower() == "true",
        )
        edit_url = f"{standin.base_url}/clips/{clip_id}/edit"
        return reply([{"id": clip_id, "edit_url": edit_url}], status=202)

    async def create_clip_from_vod(request: web.Request) -> web.Response:
        """Create Clip from VOD: the clip ends at `vod_offset` and starts `duration` earlier."""
        token = auth(request, user=True)
        if not VOD_CLIP_SCOPES & set(token.scopes):
            raise HelixError(401, "Missing scope: editor:manage:clips or channel:manage:clips")
        query = request.query
        missing = [n for n in ("broadcaster_id", "editor_id", "vod_id", "vod_offset", "title")
                   if not query.get(n)]
        if missing:
            raise HelixError(400, f"Missing required parameter(s): {', '.join(missing)}")
        broadcaster_id, editor_id = query["broadcaster_id"], query["editor_id"]
        if editor_id != token.user_id:
            raise HelixError(401, "editor_id must match the user in the access token")
        vod = world.vods.get(query["vod_id"])
        if vod is None or vod.user_id != broadcaster_id:
            raise HelixError(404, "The VOD was not found for this broadcaster")
        if not world.may_edit(editor_id, broadcaster_id):
            raise HelixError(403, "The user is not an editor of the broadcaster's channel")
        try:
            offset, duration = int(query["vod_offset"]), float(query.get("duration", 30))
        except ValueError as error:
            raise HelixError(400, "vod_offset must be an integer, duration a number") from error
        if not 5 <= duration <= 60:
            raise HelixError(400, "duration must be between 5 and 60 seconds")
        if offset < duration or offset > vod.length_s:
            raise HelixError(400, f"vod_offset must be between duration and the VOD's length "
                                  f"({vod.length_s} s)")
        clip_id = f"Stand{uuid.uuid4().hex[:12].title()}Vod"
        owner, creator = world.users.get(broadcaster_id), world.users.get(editor_id)
        world.clips[clip_id] = Clip(
            clip_id=clip_id, broadcaster_id=broadcaster_id,
            broadcaster_name=owner.login if owner else "", creator_id=editor_id,
            creator_name=creator.login if creator else "", title=query["title"],
            duration=duration, created_at=datetime.now(tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            visible_at=time.time() + standin.clip_delay_s, video_id=vod.vod_id,
            vod_offset=round(offset - duration),
        )
        edit_url = f"{standin.base_url}/clips/{clip_id}/edit"
        return reply([{"id": clip_id, "edit_url": edit_url}], status=202)

    async def get_clips(request: web.Request) -> web.Response:
        auth(request)
        now = time.time()
        visible = [c for c in world.clips.values() if c.visible_at <= now]
        if ids := request.query.getall("id", []):
            return reply([c.helix(standin.base_url) for c in visible if c.clip_id in ids])
        if broadcaster := request.query.get("broadcaster_id"):
            visible = [c for c in visible if c.broadcaster_id == broadcaster]
        else:
            raise HelixError(400, "one of id, broadcaster_id or game_id is required")
        page, pagination = _page(visible, request)
        return reply([c.helix(standin.base_url) for c in page], pagination=pagination)

    async def videos(request: web.Request) -> web.Response:
        auth(request)
        wanted = request.query.getall("user_id", []) + [
            i.removeprefix("v") for i in request.query.getall("id", [])]
        data = [video(s) for s in world.streams if s.user_id in wanted]
        page, pagination = _page(data, request)
        return reply(page, pagination=pagination)

    async def subscribe(request: web.Request) -> web.Response:
        token = auth(request, user=False)
        try:
            body = await request.json()
        except ValueError as error:
            raise HelixError(400, "the body must be JSON") from error
        try:
            sub = standin.hub.create(token, body if isinstance(body, dict) else {})
        except SubscriptionError as error:
            raise HelixError(error.status, error.message) from error
        total = len(standin.hub.listing(token))
        return reply([_public(sub)], status=202, total=total, total_cost=0, max_total_cost=10)

    async def list_subscriptions(request: web.Request) -> web.Response:
        token = auth(request)
        subs = standin.hub.listing(token, status=request.query.get("status"),
                                   sub_type=request.query.get("type"),
                                   user_id=request.query.get("user_id"))
        page, pagination = _page([_public(s) for s in subs], request)
        return reply(page, pagination=pagination, total=len(subs), total_cost=0,
                     max_total_cost=10)

    async def unsubscribe(request: web.Request) -> web.Response:
        token = auth(request)
        try:
            standin.hub.delete(token, request.query.get("id", ""))
        except SubscriptionError as error:
            raise HelixError(error.status, error.message) from error
        return web.Response(status=204, headers=ratelimit_headers())

    def guarded(handler):
        async def run(request: web.Request) -> web.Response:
            try:
                return await handler(request)
            except HelixError as error:
                return error.response

        return run

    return [
        web.get("/helix/users", guarded(users)),
        web.get("/helix/streams", guarded(streams)),
        web.post("/helix/clips", guarded(create_clip)),
        web.get("/helix/clips", guarded(get_clips)),
        web.get("/helix/videos", guarded(videos)),
        web.post("/helix/videos/clips", guarded(create_clip_from_vod)),
        web.post("/helix/eventsub/subscriptions", guarded(subscribe)),
        web.get("/helix/eventsub/subscriptions", guarded(list_subscriptions)),
        web.delete("/helix/eventsub/subscriptions", guarded(unsubscribe)),
    ]


def _public(sub: dict) -> dict:
    return {k: v for k, v in sub.items() if k not in ("session_id", "user_id")}


def video(stream) -> dict:
    return {
        "id": f"v{stream.user_id}", "stream_id": f"4{stream.user_id}",
        "user_id": stream.user_id, "user_login": stream.user_login,
        "user_name": stream.user_login, "title": stream.title, "description": "",
        "created_at": stream.started_at, "published_at": stream.started_at,
        "url": f"https://www.twitch.invalid/videos/{stream.user_id}", "thumbnail_url": "",
        "viewable": "public", "view_count": 0, "language": stream.language,
        "type": "archive", "duration": "1h0m0s", "muted_segments": None,
    }
