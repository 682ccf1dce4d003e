"""`chatlake auth seed` end to end: the real CLI and pyTwitchAPI against the stand-in."""

import os
import stat
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.support import free_port
from twitch.tokens import TokenStore

pytestmark = pytest.mark.integration


def cli_env(standin, state_dir: Path, redirect_port: int) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHATLAKE_")}
    env.update(CHATLAKE_TWITCH_STANDIN_URL=standin.base_url,
               CHATLAKE_TWITCH_REDIRECT_URL=f"http://localhost:{redirect_port}",
               CHATLAKE_STATE_DIR=str(state_dir))
    return env


def check_token_file(standin, state_dir: Path, output: str) -> None:
    store = TokenStore(state_dir / "twitch-token.json")
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    token = store.load()
    assert token.user_id == standin.bot_id and token.login == standin.bot_login
    assert set(token.scopes) == {"user:read:chat", "user:bot", "clips:edit"}
    assert standin.world.tokens[token.access_token].valid(time.time())
    assert token.access_token not in output and token.refresh_token not in output


def test_auth_seed_prints_the_url_and_takes_the_redirect_on_a_local_callback(
        twitch_standin, tmp_path):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "chatlake.cli", "auth", "seed"], env=cli_env(
            twitch_standin, tmp_path, port), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True)
    lines = []
    try:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if "/oauth2/authorize?" in line:
                break
        url = lines[-1].strip()
        # The "browser": the stand-in auto-consents and redirects to the local callback.
        with urllib.request.urlopen(url, timeout=10) as response:  # follows the 302
            assert response.status == 200
        rest, _ = process.communicate(timeout=30)
    finally:
        process.kill()
    output = "".join(lines) + rest
    assert process.returncode == 0, output
    assert "Saved a token for chatlake_bot" in output
    check_token_file(twitch_standin, tmp_path, output)


def test_auth_seed_accepts_a_pasted_code(twitch_standin, tmp_path):
    port = free_port()

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    url = (f"{twitch_standin.auth_url}authorize?client_id={twitch_standin.client_id}"
           f"&redirect_uri=http://localhost:{port}&response_type=code"
           f"&scope=user:read:chat+user:bot+clips:edit")
    try:
        opener.open(url, timeout=10)
    except urllib.error.HTTPError as redirect:
        landed = redirect.headers["Location"]
    result = subprocess.run(
        [sys.executable, "-m", "chatlake.cli", "auth", "seed", "--paste"],
        env=cli_env(twitch_standin, tmp_path, port), input=landed + "\n",
        capture_output=True, text=True, timeout=60)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    check_token_file(twitch_standin, tmp_path, output)
