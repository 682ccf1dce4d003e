"""The live chat panel in Chromium, fed by a real Tansu broker through the API's event stream:
lines arrive as text (markup stays text), hovering pauses the list without losing lines."""

import json
import subprocess
import time

import pytest
from chatlake_contracts.chat import chat_message
from chatlake_contracts.topics import CHAT_MESSAGES

from tests.api.support import LIRIK_ID, live_server, with_broker
from tests.e2e.test_web_ui import ARTIFACTS, HERE, ensure_playwright
from tests.support import private_broker
from tests.warehouse.support import encoded, produce

pytestmark = [pytest.mark.slow, pytest.mark.integration]


def lines(start: int, texts: list[str]) -> bytes:
    return encoded([chat_message(broadcaster_id=LIRIK_ID, timestamp=int(time.time() * 1000),
                                 message_id=f"panel-{start + n}", text=text, source="eventsub",
                                 user_id=f"u{start + n}", user_name=f"viewer{start + n}",
                                 user_display_name=f"Viewer{start + n}")
                    for n, text in enumerate(texts)])


def test_live_lines_arrive_as_text_and_hovering_holds_them(api_settings):
    ensure_playwright()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with private_broker() as servers:
        produce(servers, CHAT_MESSAGES, lines(0, ["sent before the page opened"]))
        settings = with_broker(api_settings, servers)
        with live_server(settings) as base:
            command = ["node", str(HERE / "live.mjs"), base, str(ARTIFACTS), LIRIK_ID]
            browser = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, text=True, bufsize=1)
            try:
                assert browser.stdout.readline().strip() == "live", browser.stderr.read()[-3000:]
                produce(servers, CHAT_MESSAGES, lines(1, ["<img src=x onerror=alert(1)>", "gg"]))
                browser.stdin.write("2\n")
                assert browser.stdout.readline().strip() == "paused", browser.stderr.read()[-3000:]
                produce(servers, CHAT_MESSAGES, lines(3, ["held while reading", "and this"]))
                time.sleep(2)  # let them reach the page, which must hold them back
                browser.stdin.write("2\n")
                out, err = browser.communicate(timeout=120)
            finally:
                browser.kill()
    assert browser.returncode == 0, err[-3000:]
    seen = json.loads(out.strip().splitlines()[-1])
    assert not seen["pageErrors"], seen["pageErrors"]
    # Only what was sent after the page opened, in order, markup shown as text.
    assert seen["beforePause"] == ["Viewer1 <img src=x onerror=alert(1)>", "Viewer2 gg"]
    assert seen["injectedImages"] == 0
    # Hovering paused the list: the two new lines waited, then came in order.
    assert seen["pausedState"] == "paused"
    assert seen["linesWhilePaused"] == 2
    assert seen["afterPause"][2:] == ["Viewer3 held while reading", "Viewer4 and this"]
