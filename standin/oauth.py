"""Twitch's OAuth endpoints under /oauth2/: authorize, token, validate, revoke.

Parameters are read from the query string and from a form body alike: twitchio sends them in
the query, pyTwitchAPI in either. Error bodies and messages are Twitch's, in particular
401 "invalid access token" from validate: twitchio refreshes only on that wording.
"""

import time

from aiohttp import web
from yarl import URL

from standin.faults import error_response
from standin.state import new_secret
from standin.surface import StandInSurface


def routes(standin: StandInSurface) -> list[web.RouteDef]:
    world = standin.world

    async def params(request: web.Request) -> dict[str, str]:
        values = dict(request.query)
        if request.can_read_body and request.content_type in (
                "application/x-www-form-urlencoded", "multipart/form-data"):
            values.update({k: str(v) for k, v in (await request.post()).items()})
        return values

    async def authorize(request: web.Request) -> web.StreamResponse:
        query = request.query
        app = world.apps.get(query.get("client_id", ""))
        redirect = query.get("redirect_uri")
        if app is None or not redirect:
            return error_response(400, "invalid client or redirect_uri")
        user = world.users.get(world.authorizing_user or "")
        if user is None:
            return error_response(400, "no user is logged in to authorize")
        code = new_secret()
        scopes = tuple(query.get("scope", "").replace("+", " ").split())
        world.codes[code] = {"client_id": app.client_id, "user_id": user.user_id,
                             "scopes": scopes, "redirect_uri": redirect}
        target = URL(redirect).update_query(
            code=code, scope=" ".join(scopes), state=query.get("state", ""))
        raise web.HTTPFound(target)  # auto-consent: the user "clicked Authorize"

    async def token(request: web.Request) -> web.Response:
        form = await params(request)
        app = world.apps.get(form.get("client_id", ""))
        if app is None or app.client_secret != form.get("client_secret"):
            return error_response(400, "invalid client secret" if app else "invalid client")
        grant = form.get("grant_type")
        now = time.time()
        if grant == "client_credentials":
            issued = world.issue(client_id=app.client_id, user_id=None, scopes=(), now=now)
            return web.json_response({"access_token": issued.access_token,
                                      "expires_in": issued.expires_in(now),
                                      "token_type": "bearer"})
        if grant == "authorization_code":
            code = world.codes.pop(form.get("code", ""), None)
            if code is None or code["client_id"] != app.client_id:
                return error_response(400, "Invalid authorization code")
            if form.get("redirect_uri") not in (None, code["redirect_uri"]):
                return error_response(400, "Parameter redirect_uri does not match registered URI")
            issued = world.issue(client_id=app.client_id, user_id=code["user_id"],
                                 scopes=code["scopes"], now=now)
        elif grant == "refresh_token":
            old = world.refresh_tokens.get(form.get("refresh_token", ""))
            if old is None or old.client_id != app.client_id:
                return error_response(400, "Invalid refresh token")
            issued = world.rotate(old, now=now)
            standin.note("refreshed", old.user_id)
        else:
            return error_response(400, "Invalid grant type")
        return web.json_response({
            "access_token": issued.access_token, "refresh_token": issued.refresh_token,
            "expires_in": issued.expires_in(now), "scope": list(issued.scopes),
            "token_type": "bearer",
        })

    async def validate(request: web.Request) -> web.Response:
        header = request.headers.get("Authorization", "")
        value = header.removeprefix("OAuth ").removeprefix("Bearer ").strip()
        found = world.tokens.get(value)
        now = time.time()
        if found is None or not found.valid(now):
            return error_response(401, "invalid access token")
        body: dict = {"client_id": found.client_id, "scopes": list(found.scopes),
                      "expires_in": found.expires_in(now)}
        if found.user_id:
            user = world.users[found.user_id]
            body.update(login=user.login, user_id=user.user_id)
        return web.json_response(body)

    async def revoke(request: web.Request) -> web.Response:
        form = await params(request)
        found = world.tokens.get(form.get("token", ""))
        if found is None or found.client_id != form.get("client_id"):
            return error_response(400, "Invalid token")
        found.revoked = True
        world.refresh_tokens.pop(found.refresh_token or "", None)
        return web.Response(status=200)

    return [
        web.get("/oauth2/authorize", authorize),
        web.post("/oauth2/token", token),
        web.get("/oauth2/validate", validate),
        web.post("/oauth2/revoke", revoke),
    ]
