"""The stand-in speaks Twitch's protocols: checked with real clients over real sockets."""

import asyncio
import time

import aiohttp
import orjson
import pytest
from twitchAPI.twitch import Twitch

from standin import StandInClient, TwitchStandIn


def streams(count: int) -> list[dict]:
    return [{"user_id": str(5000 + i), "user_login": f"streamer{i}"} for i in range(count)]


async def helix(standin: TwitchStandIn, method: str, path: str, token: str,
                **kwargs: object) -> tuple[int, dict, dict]:
    headers = {"Authorization": f"Bearer {token}", "Client-Id": standin.client_id}
    async with aiohttp.ClientSession() as session, session.request(
            method, standin.helix_url + path, headers=headers, **kwargs) as response:
        body = await response.json() if response.status != 204 else {}
        return response.status, body, dict(response.headers)


def test_get_streams_paginates_with_twitchapi_and_ends_with_empty_pagination(twitch_standin):
    twitch_standin.set_streams(streams(45))

    async def scenario() -> tuple[list[str], dict]:
        twitch = await Twitch(twitch_standin.client_id, twitch_standin.client_secret,
                              base_url=twitch_standin.helix_url,
                              auth_base_url=twitch_standin.auth_url)
        try:
            logins = [s.user_login async for s in twitch.get_streams(first=20)]
        finally:
            await twitch.close()
        token = twitch_standin.issue_user_token().access_token
        _, first, _ = await helix(twitch_standin, "GET", "streams?first=20", token)
        cursor = first["pagination"]["cursor"]
        _, second, _ = await helix(twitch_standin, "GET", f"streams?first=20&after={cursor}",
                                   token)
        _, last, _ = await helix(
            twitch_standin, "GET",
            f"streams?first=20&after={second['pagination']['cursor']}", token)
        return logins, last

    logins, last = asyncio.run(scenario())
    assert logins == [f"streamer{i}" for i in range(45)]  # in ranking order, all pages
    assert len(last["data"]) == 5
    assert last["pagination"] == {}


def test_get_streams_pages_can_overlap(twitch_standin):
    twitch_standin.set_streams(streams(30), page_overlap=3)

    async def scenario() -> list[str]:
        twitch = await Twitch(twitch_standin.client_id, twitch_standin.client_secret,
                              base_url=twitch_standin.helix_url,
                              auth_base_url=twitch_standin.auth_url)
        try:
            return [s.user_id async for s in twitch.get_streams(first=10)]
        finally:
            await twitch.close()

    ids = asyncio.run(scenario())
    assert len(ids) > 30 and len(set(ids)) == 30  # repeats that a client must dedupe


def test_clip_is_visible_only_after_the_delay_and_403_404_are_twitchs(twitch_standin):
    twitch_standin.set_streams(streams(2))
    twitch_standin.forbid_clips("5001")
    token = twitch_standin.issue_user_token().access_token

    async def scenario() -> None:
        status, body, _ = await helix(twitch_standin, "POST", "clips?broadcaster_id=5000",
                                      token)
        assert status == 202 and body["data"][0]["edit_url"]
        clip_id = body["data"][0]["id"]
        _, early, _ = await helix(twitch_standin, "GET", f"clips?id={clip_id}", token)
        assert early["data"] == []  # created asynchronously: not visible yet
        await asyncio.sleep(twitch_standin.clip_delay_s + 0.2)
        _, later, _ = await helix(twitch_standin, "GET", f"clips?id={clip_id}", token)
        assert later["data"][0]["id"] == clip_id
        assert later["data"][0]["embed_url"] and later["data"][0]["thumbnail_url"]
        forbidden, body, _ = await helix(twitch_standin, "POST", "clips?broadcaster_id=5001",
                                         token)
        assert forbidden == 403 and body["status"] == 403
        offline, _, _ = await helix(twitch_standin, "POST", "clips?broadcaster_id=999", token)
        assert offline == 404

    asyncio.run(scenario())
    assert [c["broadcaster_id"] for c in twitch_standin.clips()] == ["5000"]


def test_injected_429_carries_ratelimit_reset_then_calls_succeed_again(twitch_standin):
    twitch_standin.set_streams(streams(1))
    twitch_standin.add_fault("/helix/clips", 429, count=1, ratelimit_reset_s=7)
    twitch_standin.add_fault("/helix/clips", 503, count=1)
    token = twitch_standin.issue_user_token().access_token

    async def scenario() -> list[tuple[int, dict]]:
        results = []
        for _ in range(3):
            status, _, headers = await helix(twitch_standin, "POST",
                                             "clips?broadcaster_id=5000", token)
            results.append((status, headers))
        return results

    (first, headers), (second, _), (third, _) = asyncio.run(scenario())
    assert (first, second, third) == (429, 503, 202)
    assert headers["Ratelimit-Remaining"] == "0"
    assert 5 <= int(headers["Ratelimit-Reset"]) - time.time() <= 8


def test_expired_token_gets_the_message_twitchio_refreshes_on_and_refresh_rotates(
        twitch_standin):
    token = twitch_standin.issue_user_token()
    twitch_standin.expire_token(token.access_token)

    async def scenario() -> None:
        status, body, _ = await helix(twitch_standin, "GET", "users", token.access_token)
        assert (status, body["message"]) == (401, "Invalid OAuth token")
        async with aiohttp.ClientSession() as session:
            async with session.get(twitch_standin.auth_url + "validate", headers={
                    "Authorization": f"OAuth {token.access_token}"}) as response:
                assert response.status == 401
                assert (await response.json())["message"] == "invalid access token"
            form = {"grant_type": "refresh_token", "refresh_token": token.refresh_token,
                    "client_id": twitch_standin.client_id,
                    "client_secret": twitch_standin.client_secret}
            async with session.post(twitch_standin.auth_url + "token", data=form) as response:
                fresh = await response.json()
            assert fresh["refresh_token"] != token.refresh_token
            async with session.post(twitch_standin.auth_url + "token", data=form) as response:
                assert response.status == 400  # the old refresh token died with the rotation
        status, body, _ = await helix(twitch_standin, "GET", "users", fresh["access_token"])
        assert status == 200 and body["data"][0]["login"] == twitch_standin.bot_login

    asyncio.run(scenario())


async def _welcome(ws: aiohttp.ClientWebSocketResponse) -> dict:
    message = await ws.receive(timeout=5)
    return orjson.loads(message.data)


def test_eventsub_welcome_first_and_4001_when_the_client_sends_a_frame(twitch_standin):
    async def scenario() -> tuple[dict, int | None]:
        async with aiohttp.ClientSession() as session, session.ws_connect(
                twitch_standin.eventsub_ws_url + "?keepalive_timeout_seconds=10") as ws:
            welcome = await _welcome(ws)
            await ws.send_str("hello")
            closing = await ws.receive(timeout=5)
            assert closing.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
            return welcome, ws.close_code

    welcome, code = asyncio.run(scenario())
    assert welcome["metadata"]["message_type"] == "session_welcome"
    assert welcome["payload"]["session"]["keepalive_timeout_seconds"] == 10
    assert code == 4001


def test_eventsub_subscription_checks_session_and_delivers_twitch_shaped_chat(twitch_standin):
    token = twitch_standin.issue_user_token().access_token

    async def scenario() -> tuple[int, int, dict]:
        async with aiohttp.ClientSession() as session, session.ws_connect(
                twitch_standin.eventsub_ws_url) as ws:
            session_id = (await _welcome(ws))["payload"]["session"]["id"]
            body = {"type": "channel.chat.message", "version": "1",
                    "condition": {"broadcaster_user_id": "5000",
                                  "user_id": twitch_standin.bot_id},
                    "transport": {"method": "websocket", "session_id": "nope"}}
            bad, _, _ = await helix(twitch_standin, "POST", "eventsub/subscriptions", token,
                                    json=body)
            body["transport"]["session_id"] = session_id
            good, _, _ = await helix(twitch_standin, "POST", "eventsub/subscriptions", token,
                                     json=body)
            twitch_standin.push_chat("5000", "hi 😀 Kappa", user_login="alice",
                                     emotes=[{"emote_id": "25", "begin": 5, "end": 10}],
                                     badges=[{"set_id": "subscriber", "version": "3"}])
            note = orjson.loads((await ws.receive(timeout=5)).data)
            return bad, good, note

    bad, good, note = asyncio.run(scenario())
    assert (bad, good) == (400, 202)
    assert note["metadata"]["message_type"] == "notification"
    assert note["metadata"]["subscription_type"] == "channel.chat.message"
    assert note["metadata"]["message_timestamp"].endswith("Z")
    event = note["payload"]["event"]
    assert [f["type"] for f in event["message"]["fragments"]] == ["text", "emote"]
    assert event["message"]["fragments"][1]["emote"]["id"] == "25"
    assert event["badges"] == [{"set_id": "subscriber", "id": "3", "info": ""}]


def test_control_over_http_for_other_processes(twitch_standin):
    client = StandInClient(twitch_standin.base_url)
    client.set_streams(streams(3))
    client.forbid_clips("5002")
    client.push_chat("5000", "buffered until someone subscribes")
    state = client.state()
    assert state["stats"]["buffered"] == 1
    assert client.info()["helix_url"] == twitch_standin.helix_url
    assert twitch_standin.world.clip_forbidden == {"5002"}


def test_eventsub_closes_an_unused_connection_with_4003():
    async def scenario() -> int | None:
        async with TwitchStandIn(welcome_timeout_s=0.3) as standin, \
                aiohttp.ClientSession() as session, \
                session.ws_connect(standin.eventsub_ws_url) as ws:
            await _welcome(ws)
            await ws.receive(timeout=5)
            return ws.close_code

    assert asyncio.run(scenario()) == 4003


@pytest.mark.slow
def test_keepalive_arrives_when_nothing_else_is_sent():
    async def scenario() -> str:
        async with TwitchStandIn(welcome_timeout_s=60) as standin, \
                aiohttp.ClientSession() as session, session.ws_connect(
                standin.eventsub_ws_url + "?keepalive_timeout_seconds=10") as ws:
            await _welcome(ws)
            return orjson.loads((await ws.receive(timeout=15)).data)["metadata"]["message_type"]

    assert asyncio.run(scenario()) == "session_keepalive"


def test_the_stand_in_logs_no_secret_from_a_token_request(twitch_standin, caplog):
    """twitchio puts the client secret in the token request's query string."""
    caplog.set_level("DEBUG")

    async def request_app_token() -> int:
        params = {"client_id": twitch_standin.client_id,
                  "client_secret": twitch_standin.client_secret,
                  "grant_type": "client_credentials"}
        async with aiohttp.ClientSession() as session, session.post(
                f"{twitch_standin.auth_url}token", params=params) as response:
            token = (await response.json())["access_token"]
            assert token
            return response.status

    assert asyncio.run(request_app_token()) == 200
    twitch_standin.stop_thread()  # flush whatever the server would log
    assert twitch_standin.client_secret not in caplog.text
