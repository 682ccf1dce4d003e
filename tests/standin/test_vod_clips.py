"""Create Clip from VOD on the stand-in, through the project's Helix client over a real socket."""

import asyncio
import time

import aiohttp
import pytest

from standin import TwitchStandIn
from twitch.helix import HelixClient, HelixEndpoint, HelixError, UserToken
from twitch.tokens import StoredToken, TokenStore

BROADCASTER, VOD, VOD_LENGTH_S = "7000", "vod7000", 3600
VOD_SCOPES = ("clips:edit", "editor:manage:clips")


def client(standin: TwitchStandIn, folder, scopes=VOD_SCOPES) -> HelixClient:
    token = standin.issue_user_token(scopes=scopes)
    store = TokenStore(folder / "twitch-token.json")
    store.save(StoredToken(access_token=token.access_token, refresh_token=token.refresh_token,
                           user_id=standin.bot_id, login=standin.bot_login,
                           client_id=standin.client_id, scopes=token.scopes))
    endpoint = HelixEndpoint(standin.helix_url, standin.auth_url, standin.client_id,
                             standin.client_secret, timeout_s=5.0)
    return HelixClient(endpoint, user=UserToken(store))


@pytest.fixture
def past_broadcast(twitch_standin: TwitchStandIn) -> TwitchStandIn:
    twitch_standin.add_user("pastcaster", BROADCASTER)
    twitch_standin.add_vod(VOD, BROADCASTER, VOD_LENGTH_S)
    return twitch_standin


async def visible(helix: HelixClient, clip_id: str, bound_s: float = 10.0) -> list[dict]:
    deadline = time.monotonic() + bound_s
    while not (found := await helix.clips_by_id([clip_id])) and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    return found


def test_vod_clip_needs_an_editor_then_is_visible_in_get_clips(past_broadcast, tmp_path):
    standin = past_broadcast

    async def scenario() -> None:
        async with client(standin, tmp_path) as helix:
            with pytest.raises(HelixError) as not_editor:
                await helix.create_clip_from_vod(BROADCASTER, standin.bot_id, VOD, 600, "x")
            assert not_editor.value.status == 403
            assert "not an editor" in not_editor.value.message

            standin.add_editor(BROADCASTER, standin.bot_id)
            with pytest.raises(HelixError) as past_end:
                await helix.create_clip_from_vod(BROADCASTER, standin.bot_id, VOD,
                                                 VOD_LENGTH_S + 1, "x")
            assert past_end.value.status == 400 and "length" in past_end.value.message

            created = await helix.create_clip_from_vod(BROADCASTER, standin.bot_id, VOD, 600,
                                                       "a moment", duration=20)
            clips = await visible(helix, created["id"])
            assert [c["id"] for c in clips] == [created["id"]]
            clip = clips[0]
            assert (clip["video_id"], clip["vod_offset"], clip["duration"]) == (VOD, 580, 20)
            assert clip["broadcaster_id"] == BROADCASTER and clip["title"] == "a moment"
            by_channel = await helix.clips_of(BROADCASTER)
            assert created["id"] in [c["id"] for c in by_channel]

    asyncio.run(scenario())


def test_bad_duration_offset_and_missing_token_are_refused(past_broadcast, tmp_path):
    standin = past_broadcast
    standin.add_editor(BROADCASTER, standin.bot_id)
    url = (f"{standin.helix_url}videos/clips?broadcaster_id={BROADCASTER}"
           f"&editor_id={standin.bot_id}&vod_id={VOD}&vod_offset=600&title=x")
    token = standin.issue_user_token(scopes=VOD_SCOPES).access_token
    no_scope = standin.issue_user_token(scopes=("clips:edit",)).access_token

    async def post(query: str = "", bearer: str | None = None) -> tuple[int, dict]:
        headers = {"Client-Id": standin.client_id}
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        async with aiohttp.ClientSession() as session, session.post(
                url + query, headers=headers) as response:
            return response.status, await response.json()

    async def scenario() -> None:
        assert (await post())[0] == 401
        assert (await post(bearer="not-a-token"))[0] == 401
        status, body = await post(bearer=no_scope)
        assert status == 401 and "editor:manage:clips" in body["message"]
        assert (await post("&duration=61", token))[0] == 400
        assert (await post("&duration=abc", token))[0] == 400
        status, body = await post("&duration=30", token)
        assert status == 202, body
        async with client(standin, tmp_path) as helix:
            with pytest.raises(ValueError, match="between 5 and 60"):
                await helix.create_clip_from_vod(BROADCASTER, standin.bot_id, VOD, 600, "x",
                                                 duration=2)
            with pytest.raises(HelixError) as other_vod:
                await helix.create_clip_from_vod(BROADCASTER, standin.bot_id, "nope", 600, "x")
            assert other_vod.value.status == 404

    asyncio.run(scenario())
    assert [c["video_id"] for c in standin.clips()] == [VOD]
