"""The stand-in enforces Twitch's EventSub WebSocket limits, with Twitch's answers: 300
enabled subscriptions a session, 3 sessions a user, chat of 100 channels a user, one
subscription per type and condition; revoked or disconnected subscriptions free their room.
Real sockets, a raw client (the point is the exact status and body)."""

import asyncio

import aiohttp
import orjson

from standin import TwitchStandIn
from tests.standin.test_protocol import helix


async def _session(http: aiohttp.ClientSession, standin: TwitchStandIn):
    ws = await http.ws_connect(standin.eventsub_ws_url)
    welcome = orjson.loads((await ws.receive(timeout=5)).data)
    return ws, welcome["payload"]["session"]["id"]


def _body(kind: str, session_id: str, broadcaster: str, user_id: str) -> dict:
    condition = {"broadcaster_user_id": broadcaster}
    if kind == "channel.chat.message":
        condition["user_id"] = user_id
    return {"type": kind, "version": "1", "condition": condition,
            "transport": {"method": "websocket", "session_id": session_id}}


async def _subscribe(standin, token, kind, session_id, broadcaster, user_id):
    status, body, _ = await helix(standin, "POST", "eventsub/subscriptions", token,
                                  json=_body(kind, session_id, broadcaster, user_id))
    return status, body


def test_chat_of_at_most_100_channels_a_user_then_429_and_room_after_a_disconnect(
        twitch_standin):
    user = twitch_standin.add_user("reader_a")
    token = twitch_standin.issue_user_token(user.user_id).access_token

    async def scenario():
        async with aiohttp.ClientSession() as http:
            ws1, first = await _session(http, twitch_standin)
            ws2, second = await _session(http, twitch_standin)
            statuses = [(await _subscribe(twitch_standin, token, "channel.chat.message",
                                          first if i % 2 else second, str(6000 + i),
                                          user.user_id))[0] for i in range(100)]
            over = await _subscribe(twitch_standin, token, "channel.chat.message", first,
                                    "6100", user.user_id)
            again = await _subscribe(twitch_standin, token, "channel.chat.message", second,
                                     "6001", user.user_id)
            await ws1.close()  # its 50 subscriptions are disconnected: room for 50 more
            await asyncio.sleep(0)
            while twitch_standin.stats()["sessions"] > 1:
                await asyncio.sleep(0.05)
            after = await _subscribe(twitch_standin, token, "channel.chat.message", second,
                                     "6100", user.user_id)
            await ws2.close()
            return statuses, over, again, after

    statuses, over, again, after = asyncio.run(scenario())
    assert statuses == [202] * 100
    assert over[0] == 429 and over[1]["error"] == "Too Many Requests"
    assert "100 channels" in over[1]["message"]
    assert again[0] == 409 and again[1]["message"] == "subscription already exists"
    assert after[0] == 202
    stats = twitch_standin.stats()
    assert stats["max_chat_channels"][user.user_id] == 100
    assert stats["limit_rejections"] == 1


def test_300_subscriptions_a_session_and_3_sessions_a_user(twitch_standin):
    user = twitch_standin.add_user("reader_b")
    token = twitch_standin.issue_user_token(user.user_id).access_token

    async def scenario():
        async with aiohttp.ClientSession() as http:
            sockets = []
            ws, session_id = await _session(http, twitch_standin)
            sockets.append(ws)
            statuses = [(await _subscribe(twitch_standin, token, "stream.online", session_id,
                                          str(7000 + i), user.user_id))[0]
                        for i in range(300)]
            full = await _subscribe(twitch_standin, token, "stream.online", session_id,
                                    "7300", user.user_id)
            more = []
            for n in range(3):
                ws, other = await _session(http, twitch_standin)
                sockets.append(ws)
                more.append(await _subscribe(twitch_standin, token, "stream.online", other,
                                             str(8000 + n), user.user_id))
            for ws in sockets:
                await ws.close()
            return statuses, full, more

    statuses, full, more = asyncio.run(scenario())
    assert statuses == [202] * 300
    assert full[0] == 429 and "subscriptions limit exceeded" in full[1]["message"]
    assert [m[0] for m in more] == [202, 202, 429]
    assert more[2][1] == {"error": "Too Many Requests", "status": 429,
                          "message": "number of websocket transports limit exceeded"}


def test_revoking_a_users_authorization_stops_their_chat_and_their_refresh(twitch_standin):
    user = twitch_standin.add_user("reader_c")
    issued = twitch_standin.issue_user_token(user.user_id)
    (channel,) = ["6500"]

    async def scenario():
        async with aiohttp.ClientSession() as http:
            ws, session_id = await _session(http, twitch_standin)
            created = await _subscribe(twitch_standin, issued.access_token,
                                       "channel.chat.message", session_id, channel,
                                       user.user_id)
            revoked = twitch_standin.revoke_authorization(user.user_id)
            twitch_standin.push_chat(channel, "nobody reads this yet")
            listing = await helix(twitch_standin, "GET", "eventsub/subscriptions",
                                  issued.access_token)
            async with http.post(twitch_standin.id_url + "oauth2/token", data={
                    "grant_type": "refresh_token", "refresh_token": issued.refresh_token,
                    "client_id": twitch_standin.client_id,
                    "client_secret": twitch_standin.client_secret}) as response:
                refresh = response.status
            await ws.close()
            return created[0], revoked, listing[0], refresh

    created, revoked, listing, refresh = asyncio.run(scenario())
    assert (created, revoked, listing, refresh) == (202, 1, 401, 400)
    assert twitch_standin.stats()["buffered"] == 1  # kept for the channel's next reader
