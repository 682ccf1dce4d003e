"""A real Alertmanager with the shipped config (rendered with the webhook URL a setting) sends a
firing alert to a local HTTP server standing in for Discord, as a Discord webhook payload."""

import json
import shutil
import subprocess
import urllib.request
from datetime import UTC, datetime

import pytest

from chatlake.embedded import monitoring, processes
from core.settings import Settings
from tests.deploy.support import discord_standin, tool
from tests.support import free_port, reachable_tmp_dir

pytestmark = pytest.mark.integration


def post_alert(port: int, alert: dict) -> None:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v2/alerts", data=json.dumps([alert]).encode(),
        headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200


def test_a_firing_alert_arrives_at_discord_as_a_webhook_payload():
    tool("prometheus-alertmanager")
    root = reachable_tmp_dir("chatlake-alertmanager-")
    port = free_port()
    with discord_standin() as discord:
        settings = Settings(state_dir=root, alerts={"discord_webhook_url": discord.url,
                                                    "alertmanager_port": port})
        folder = root / "ops"
        monitoring.render_alertmanager(settings, folder)
        command = monitoring.commands(settings, folder)[monitoring.ALERTMANAGER]
        log = (root / "alertmanager.log").open("wb")
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        try:
            assert processes.wait_until(lambda: processes.port_accepts(port), timeout=60), \
                (root / "alertmanager.log").read_text()
            post_alert(port, {
                "labels": {"alertname": "IngestDroppingRecords", "severity": "critical",
                           "job": "chatlake-ingest"},
                "annotations": {"summary": "Chat ingest drops records",
                                "description": "Its buffer is full"},
                "startsAt": datetime.now(tz=UTC).isoformat(),
            })
            # critical: group_wait 10 s; generous bound, no timing asserted
            assert discord.arrived.wait(timeout=120), (root / "alertmanager.log").read_text()
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.close()
            shutil.rmtree(root, ignore_errors=True)
    payload = discord.payloads[0]
    assert discord.paths[0] == "/api/webhooks/1/secret"
    embed = payload["embeds"][0]
    assert "FIRING" in embed["title"] and "IngestDroppingRecords" in embed["title"]
    assert "Chat ingest drops records" in embed["description"]
