"""The shipped Prometheus and Alertmanager configs pass their own tools: `promtool check config`,
`promtool check rules`, `promtool test rules` (every alert fires on the series that should fire
it and stays quiet on healthy ones) and `amtool check-config`; so do the rendered ones."""

import subprocess

import yaml

from chatlake.embedded import monitoring
from core.settings import Settings
from tests.deploy.support import DEPLOY, tool

PROMETHEUS = DEPLOY / "prometheus"


def run(*command: str) -> str:
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


def test_promtool_checks_the_config_and_the_rules():
    run(tool("promtool"), "check", "config", str(PROMETHEUS / "prometheus.yml"))
    out = run(tool("promtool"), "check", "rules", *map(str, sorted(
        (PROMETHEUS / "rules").glob("*.yml"))))
    assert "SUCCESS" in out


def test_every_alert_has_a_firing_and_a_quiet_unit_test_and_they_pass():
    alerts = {rule["alert"] for group in yaml.safe_load(
        (PROMETHEUS / "rules" / "alerts.yml").read_text())["groups"] for rule in group["rules"]}
    tests = yaml.safe_load((PROMETHEUS / "tests" / "alerts_test.yml").read_text())["tests"]
    fired, quiet = set(), set()
    for case in tests:
        for check in case["alert_rule_test"]:
            (fired if check["exp_alerts"] else quiet).add(check["alertname"])
    assert alerts >= {"KafkaConsumerLagHigh", "FlinkTaskManagerDown", "FlinkJobManagerDown",
                      "HighMemoryUsage", "StreamMonitoringDown", "NoChatMessagesProcessed"}
    assert fired == alerts, alerts - fired
    assert quiet == alerts, alerts - quiet
    out = run(tool("promtool"), "test", "rules", str(PROMETHEUS / "tests" / "alerts_test.yml"))
    assert "SUCCESS" in out


def test_amtool_checks_the_alertmanager_config_and_its_routes():
    run(tool("amtool"), "check-config", str(DEPLOY / "alertmanager" / "alertmanager.yml"))
    route = yaml.safe_load((DEPLOY / "alertmanager" / "alertmanager.yml").read_text())["route"]
    assert (route["group_wait"], route["group_interval"], route["repeat_interval"]) == \
        ("30s", "5m", "4h")
    critical = next(r for r in route["routes"] if 'severity="critical"' in r["matchers"])
    assert (critical["group_wait"], critical["repeat_interval"]) == ("10s", "1h")


def test_rendered_configs_carry_the_settings_and_pass_the_tools(tmp_path):
    settings = Settings(state_dir=tmp_path, api={"port": 18780},
                        metrics={"ingest_port": 19402, "archiver_port": 19404},
                        detector={"metrics_port": "19249-19259"},
                        alerts={"discord_webhook_url": "https://discord.example/api/webhooks/1/x",
                                "alertmanager_port": 19093, "scrape_interval_s": 2})
    prometheus, alertmanager = monitoring.render(settings, tmp_path / "ops")
    config = yaml.safe_load(prometheus.read_text())
    jobs = {job["job_name"]: job["static_configs"][0]["targets"]
            for job in config["scrape_configs"]}
    assert jobs["chatlake-api"] == ["127.0.0.1:18780"]
    assert jobs["chatlake-ingest"] == ["127.0.0.1:19402"]
    assert jobs["chatlake-archiver"] == ["127.0.0.1:19404"]
    assert jobs["flink"] == ["127.0.0.1:19249"]
    assert config["global"]["scrape_interval"] == "2s"
    assert set(jobs) == set(monitoring.JOBS)
    run(tool("promtool"), "check", "config", str(prometheus))
    run(tool("amtool"), "check-config", str(alertmanager))
    assert "https://discord.example/api/webhooks/1/x" in alertmanager.read_text()
    assert alertmanager.stat().st_mode & 0o077 == 0
