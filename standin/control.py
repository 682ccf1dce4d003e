"""The stand-in's control API over HTTP (/_standin/...), for other processes, and a client.

Each route calls the `TwitchStandIn` method of the same name; `StandInClient` is the
synchronous client with those names, for code that runs the stand-in as a separate process
(`uv run chatlake standin`).
"""

import json
import time
import urllib.request
from dataclasses import asdict
from typing import Any

from aiohttp import web

from standin import chat_payload
from standin.surface import StandInSurface


def routes(standin: StandInSurface) -> list[web.RouteDef]:
    def token_body(token: Any) -> dict:
        return {"access_token": token.access_token, "refresh_token": token.refresh_token,
                "user_id": token.user_id, "scopes": list(token.scopes),
                "expires_in": int(token.expires_at - time.time())}

    async def body(request: web.Request) -> dict:
        if not request.can_read_body:
            return {}
        data = await request.json()
        if not isinstance(data, dict):
            raise web.HTTPBadRequest(text="a JSON object is expected")
        return data

    async def info(_: web.Request) -> web.Response:
        return web.json_response({
            "base_url": standin.base_url, "helix_url": standin.helix_url,
            "auth_url": standin.auth_url, "id_url": standin.id_url,
            "eventsub_ws_url": standin.eventsub_ws_url, "client_id": standin.client_id,
            "client_secret": standin.client_secret, "bot_id": standin.bot_id,
            "bot_login": standin.bot_login,
        })

    async def apps(request: web.Request) -> web.Response:
        data = await body(request)
        app = standin.register_app(data["client_id"], data["client_secret"])
        return web.json_response(asdict(app))

    async def users(request: web.Request) -> web.Response:
        data = await body(request)
        user = standin.add_user(data["login"], data.get("user_id"), data.get("display_name"))
        return web.json_response(asdict(user))

    async def tokens(request: web.Request) -> web.Response:
        data = await body(request)
        token = standin.issue_user_token(
            data.get("user_id"), client_id=data.get("client_id"),
            scopes=tuple(data.get("scopes") or ("user:read:chat", "user:bot", "clips:edit")),
            expires_in=data.get("expires_in"))
        return web.json_response(token_body(token))

    async def expire(request: web.Request) -> web.Response:
        data = await body(request)
        count = standin.expire_token(data.get("access_token"), user_id=data.get("user_id"))
        return web.json_response({"expired": count})

    async def authorizing_user(request: web.Request) -> web.Response:
        standin.set_authorizing_user((await body(request))["user_id"])
        return web.json_response({})

    async def streams(request: web.Request) -> web.Response:
        data = await body(request)
        standin.set_streams(data.get("streams", []), page_overlap=data.get("page_overlap", 0))
        return web.json_response({"streams": len(data.get("streams", []))})

    async def forbid(request: web.Request) -> web.Response:
        data = await body(request)
        standin.forbid_clips(data["broadcaster_id"], data.get("forbidden", True))
        return web.json_response({})

    async def vods(request: web.Request) -> web.Response:
        data = await body(request)
        standin.add_vod(str(data["vod_id"]), str(data["user_id"]), int(data["length_s"]))
        return web.json_response({})

    async def editors(request: web.Request) -> web.Response:
        data = await body(request)
        standin.add_editor(str(data["broadcaster_id"]), str(data["user_id"]))
        return web.json_response({})

    async def clips(_: web.Request) -> web.Response:
        return web.json_response({"data": standin.clips()})

    async def faults(request: web.Request) -> web.Response:
        if request.method == "DELETE":
            standin.clear_faults()
            return web.json_response({})
        data = await body(request)
        standin.add_fault(data["path"], int(data["status"]), count=int(data.get("count", 1)),
                          method=data.get("method"),
                          ratelimit_reset_s=float(data.get("ratelimit_reset_s", 1.0)),
                          message=data.get("message"))
        return web.json_response({})

    async def drop(_: web.Request) -> web.Response:
        return web.json_response({"dropped": standin.drop_eventsub_sockets()})

    async def reconnect(_: web.Request) -> web.Response:
        return web.json_response({"sessions": await standin.hub.send_reconnect()})

    async def chat(request: web.Request) -> web.Response:
        data = await body(request)
        events = []
        for item in data.get("messages", []):
            item = dict(item)
            timestamp = item.pop("timestamp_ms", None)
            login = item.pop("broadcaster_login", None) or standin.login_of(
                item["broadcaster_id"])
            events.append((chat_payload.chat_event(
                broadcaster_id=item.pop("broadcaster_id"), broadcaster_login=login,
                text=item.pop("text"), chatter_id=item.pop("user_id", "300000001"),
                chatter_login=item.pop("user_login", "viewer1"), **item), timestamp))
        standin.push_events(events)
        return web.json_response({"message_ids": [e["message_id"] for e, _ in events]})

    async def chat_events(request: web.Request) -> web.Response:
        data = await body(request)
        standin.push_events([(item["event"], item.get("timestamp_ms"))
                             for item in data.get("events", [])])
        return web.json_response({"pushed": len(data.get("events", []))})

    async def raw(request: web.Request) -> web.Response:
        data = await body(request)
        frame = data["frame"].encode("latin-1") if data.get("bytes") else data["frame"]
        standin.push_raw(data["broadcaster_id"], frame)
        return web.json_response({})

    async def state(_: web.Request) -> web.Response:
        return web.json_response({"stats": standin.stats(),
                                  "buffered": standin.hub.buffered(),
                                  "subscriptions": standin.subscriptions()})

    return [
        web.get("/_standin/info", info),
        web.post("/_standin/apps", apps),
        web.post("/_standin/users", users),
        web.post("/_standin/tokens", tokens),
        web.post("/_standin/tokens/expire", expire),
        web.post("/_standin/authorizing-user", authorizing_user),
        web.put("/_standin/streams", streams),
        web.post("/_standin/clips/forbid", forbid),
        web.get("/_standin/clips", clips),
        web.post("/_standin/vods", vods),
        web.post("/_standin/editors", editors),
        web.post("/_standin/faults", faults),
        web.delete("/_standin/faults", faults),
        web.post("/_standin/eventsub/drop", drop),
        web.post("/_standin/eventsub/reconnect", reconnect),
        web.post("/_standin/chat", chat),
        web.post("/_standin/chat/events", chat_events),
        web.post("/_standin/chat/raw", raw),
        web.get("/_standin/state", state),
    ]


class StandInClient:
    """Drive a stand-in in another process: `StandInClient("http://127.0.0.1:8790")`."""

    def __init__(self, base_url: str, timeout_s: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s

    def _request(self, method: str, path: str, data: dict | None = None) -> Any:
        payload = json.dumps(data).encode() if data is not None else None
        request = urllib.request.Request(  # noqa: S310 - our own http:// stand-in
            f"{self.base_url}/_standin/{path}", data=payload, method=method,
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=self.timeout_s) as response:  # noqa: S310
            return json.loads(response.read() or b"{}")

    def info(self) -> dict:
        return self._request("GET", "info")

    def register_app(self, client_id: str, client_secret: str) -> dict:
        return self._request("POST", "apps", {"client_id": client_id,
                                              "client_secret": client_secret})

    def add_user(self, login: str, user_id: str | None = None) -> dict:
        return self._request("POST", "users", {"login": login, "user_id": user_id})

    def issue_user_token(self, user_id: str | None = None, **options: Any) -> dict:
        return self._request("POST", "tokens", {"user_id": user_id, **options})

    def expire_token(self, access_token: str | None = None, *,
                     user_id: str | None = None) -> int:
        return self._request("POST", "tokens/expire", {"access_token": access_token,
                                                       "user_id": user_id})["expired"]

    def set_streams(self, streams: list[dict], *, page_overlap: int = 0) -> None:
        self._request("PUT", "streams", {"streams": streams, "page_overlap": page_overlap})

    def forbid_clips(self, broadcaster_id: str, forbidden: bool = True) -> None:
        self._request("POST", "clips/forbid", {"broadcaster_id": broadcaster_id,
                                               "forbidden": forbidden})

    def add_vod(self, vod_id: str, user_id: str, length_s: int) -> None:
        self._request("POST", "vods", {"vod_id": vod_id, "user_id": user_id,
                                       "length_s": length_s})

    def add_editor(self, broadcaster_id: str, user_id: str) -> None:
        self._request("POST", "editors", {"broadcaster_id": broadcaster_id, "user_id": user_id})

    def clips(self) -> list[dict]:
        return self._request("GET", "clips")["data"]

    def add_fault(self, path: str, status: int, **options: Any) -> None:
        self._request("POST", "faults", {"path": path, "status": status, **options})

    def clear_faults(self) -> None:
        self._request("DELETE", "faults")

    def drop_eventsub_sockets(self) -> int:
        return self._request("POST", "eventsub/drop", {})["dropped"]

    def send_session_reconnect(self) -> int:
        return self._request("POST", "eventsub/reconnect", {})["sessions"]

    def push_chat(self, broadcaster_id: str, text: str, **fields: Any) -> str:
        message = {"broadcaster_id": broadcaster_id, "text": text, **fields}
        return self._request("POST", "chat", {"messages": [message]})["message_ids"][0]

    def push_chat_many(self, messages: list[dict]) -> list[str]:
        return self._request("POST", "chat", {"messages": messages})["message_ids"]

    def push_raw(self, broadcaster_id: str, frame: str | bytes) -> None:
        is_bytes = isinstance(frame, bytes)
        text = frame.decode("latin-1") if isinstance(frame, bytes) else frame
        self._request("POST", "chat/raw", {"broadcaster_id": broadcaster_id, "frame": text,
                                           "bytes": is_bytes})

    def state(self) -> dict:
        return self._request("GET", "state")
