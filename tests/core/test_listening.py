"""Servers listen on loopback by default and say where they listen; the Twitch stand-in will
not open itself to the network unless told to."""

import logging

import httpx
import pytest
from typer.testing import CliRunner

from chatlake.cli import app
from core import metrics
from core.listening import announce, is_loopback
from standin import TwitchStandIn
from tests.support import free_port


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.0.0.53", True), ("::1", True), ("[::1]", True),
    ("localhost", True), ("0.0.0.0", False), ("::", False), ("192.168.1.20", False),
    ("chat.example.org", False),
])
def test_only_this_machines_addresses_count_as_loopback(host, loopback):
    assert is_loopback(host) is loopback


def test_a_network_address_is_announced_as_a_warning(caplog):
    with caplog.at_level(logging.INFO, logger="chatlake.listening"):
        announce("the web UI and API", "0.0.0.0", 8780)
        announce("the web UI and API", "127.0.0.1", 8780)
    levels = [(record.levelno, record.getMessage()) for record in caplog.records]
    assert levels[0][0] == logging.WARNING and "reachable from other machines" in levels[0][1]
    assert levels[1] == (logging.INFO, "the web UI and API listening on 127.0.0.1:8780 "
                                       "(this machine only)")


def test_the_metrics_endpoint_listens_on_loopback_and_says_so(caplog):
    with caplog.at_level(logging.INFO, logger="chatlake.listening"):
        server = metrics.serve("127.0.0.1", free_port())
    try:
        assert httpx.get(server.health_url, timeout=10).status_code == 200
    finally:
        server.close()
    assert any(f"127.0.0.1:{server.port} (this machine only)" in record.getMessage()
               for record in caplog.records)


def test_the_standin_refuses_a_network_address_unless_allowed():
    with pytest.raises(ValueError, match=r"refuses to listen on '0\.0\.0\.0'"):
        TwitchStandIn(host="0.0.0.0")
    TwitchStandIn(host="0.0.0.0", allow_remote=True)


def test_the_standin_command_refuses_a_network_address():
    result = CliRunner().invoke(app, ["standin", "--host", "0.0.0.0"])
    assert result.exit_code == 2
    assert "--allow-remote" in result.output and "0.0.0.0" in result.output
