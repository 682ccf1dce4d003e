"""`chatlake standin --accounts N`: one reader account and token file per ingest shard."""

import asyncio
import stat

import aiohttp

from chatlake.commands.standin import _seed_accounts
from twitch.tokens import TokenStore


def test_each_account_gets_its_own_user_and_a_0600_token_file_that_validates(
        twitch_standin, tmp_path):
    seeded = _seed_accounts(twitch_standin, 3, tmp_path / "tokens")
    assert [shard for shard, _ in seeded] == ["reader-1", "reader-2", "reader-3"]
    tokens = [TokenStore(path).load() for _, path in seeded]
    assert len({t.user_id for t in tokens}) == 3
    assert all(stat.S_IMODE(path.stat().st_mode) == 0o600 for _, path in seeded)

    async def validate(access: str) -> int:
        async with aiohttp.ClientSession() as http, http.get(
                twitch_standin.id_url + "oauth2/validate",
                headers={"Authorization": f"OAuth {access}"}) as response:
            return response.status

    assert [asyncio.run(validate(t.access_token)) for t in tokens] == [200, 200, 200]
    again = _seed_accounts(twitch_standin, 3, tmp_path / "tokens")  # same users, new tokens
    assert [TokenStore(p).load().user_id for _, p in again] == [t.user_id for t in tokens]
