"""The live chat feed: server-sent events from a real Tansu broker, over a real socket."""

import json
import threading
import time

import httpx
import pytest
from chatlake_contracts.chat import chat_message
from chatlake_contracts.topics import CHAT_MESSAGES

from tests.api.support import LIRIK_ID, NYMN_ID, live_server, with_broker
from tests.support import free_port, private_broker
from tests.warehouse.support import encoded, produce

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def message(channel: str, n: int, text: str) -> dict:
    return chat_message(broadcaster_id=channel, timestamp=int(time.time() * 1000),
                        message_id=f"live-{channel}-{n}", text=text, source="eventsub",
                        user_id=f"u{n}", user_name=f"viewer{n}")


def read_events(url: str, wanted: int, seen: list, connected: threading.Event) -> None:
    with httpx.stream("GET", url, timeout=30) as response:
        seen.append(("status", response.status_code))
        for line in response.iter_lines():
            connected.set()
            if line.startswith("data:"):
                seen.append(("data", json.loads(line[5:])))
                if sum(kind == "data" for kind, _ in seen) >= wanted:
                    return


def test_messages_sent_after_connecting_arrive_for_their_channel_only(api_settings):
    with private_broker() as servers:
        produce(servers, CHAT_MESSAGES, encoded([message(NYMN_ID, 0, "before anyone watched")]))
        settings = with_broker(api_settings, servers)
        with live_server(settings) as base:
            seen, connected = [], threading.Event()
            reader = threading.Thread(target=read_events, daemon=True, args=(
                f"{base}/v1.0/channels/{NYMN_ID}/live", 2, seen, connected))
            reader.start()
            assert connected.wait(20), seen
            produce(servers, CHAT_MESSAGES, encoded([
                message(LIRIK_ID, 1, "another channel"),
                message(NYMN_ID, 2, "<img src=x onerror=alert(1)> hello"),
                message(NYMN_ID, 3, "second"),
            ]))
            reader.join(30)
            unknown = httpx.get(f"{base}/v1.0/channels/no-such-channel/live", timeout=10)
    assert seen[0] == ("status", 200)
    texts = [body["text"] for kind, body in seen if kind == "data"]
    # Only what was sent after connecting, only this channel's, in order, text unchanged.
    assert texts == ["<img src=x onerror=alert(1)> hello", "second"]
    assert [body["login"] for kind, body in seen if kind == "data"] == ["viewer2", "viewer3"]
    assert unknown.status_code == 404


def test_the_feed_answers_503_without_a_broker(api_settings):
    settings = with_broker(api_settings, f"127.0.0.1:{free_port()}")
    with live_server(settings) as base:
        response = httpx.get(f"{base}/v1.0/channels/{NYMN_ID}/live", timeout=30)
    assert response.status_code == 503, response.text
