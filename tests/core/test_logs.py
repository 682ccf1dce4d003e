"""The one log set-up: text or one JSON object per line, and the mask that keeps secrets out."""

import io
import json
import logging

import pytest
from chatlake_contracts import logformat

from core import logs


@pytest.fixture
def captured():
    stream = io.StringIO()
    root = logging.getLogger()
    before = (list(root.handlers), root.level)
    yield stream
    root.handlers[:] = before[0]
    root.setLevel(before[1])


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_json_lines_carry_time_level_service_event_and_fields(captured):
    logformat.configure("clipper", fmt="json", stream=captured)
    logging.getLogger("clipper.service").info("detection %d done", 7, extra={"clip_id": "abc"})
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("clipper.service").exception("failed")
    first, second = lines(captured)
    assert first["service"] == "clipper" and first["level"] == "info"
    assert first["event"] == "detection 7 done" and first["fields"] == {"clip_id": "abc"}
    assert first["logger"] == "clipper.service" and first["time"].endswith("Z")
    assert second["level"] == "error" and "ValueError: boom" in second["fields"]["exception"]


def test_secrets_and_credential_shapes_are_masked_in_both_formats(captured):
    logformat.add_secret("registered-token-value-123")
    for fmt in ("json", "text"):
        captured.truncate(0)
        captured.seek(0)
        logformat.configure("ingest", fmt=fmt, stream=captured)
        log = logging.getLogger("x")
        log.info("POST /oauth2/token?client_id=a&client_secret=hunter2hunter2&code=xyzcode1")
        log.info("headers %s", {"Authorization": "Bearer abcdefgh12345678"})
        log.info('{"access_token": "tok123456789", "refresh_token": "ref123456789"}')
        log.info("token registered-token-value-123 and oauth:abcdef123456 and "
                 "postgresql://chatlake:pgpassword@127.0.0.1/db")
        text = captured.getvalue()
        for secret in ("hunter2hunter2", "xyzcode1", "abcdefgh12345678", "tok123456789",
                       "ref123456789", "registered-token-value-123", "abcdef123456",
                       "pgpassword"):
            assert secret not in text, (fmt, secret, text)
        if fmt == "json":
            assert len(lines(captured)) == 4


def test_the_settings_pick_the_format_and_register_the_client_secret(captured, monkeypatch):
    monkeypatch.setenv("CHATLAKE_LOG_FORMAT", "json")
    monkeypatch.setenv("CHATLAKE_TWITCH_CLIENT_SECRET", "my-app-secret-0001")
    logs.setup("archiver")
    root = logging.getLogger()
    root.handlers[0].setStream(captured)
    logging.getLogger("warehouse").warning("secret is my-app-secret-0001")
    (line,) = lines(captured)
    assert line["service"] == "archiver" and "my-app-secret-0001" not in line["event"]


def test_one_shot_commands_are_named_after_the_command():
    assert logs.service_name(["sql", "--help"]) == "chatlake-sql"
    assert logs.service_name([]) == "chatlake"
