"""Prometheus, Alertmanager and the node exporter for the stack: the shipped configs in
`deploy/` rendered for the current settings, and the three servers run as detached children.

    monitoring.render(settings, folder)      # prometheus.yml, rules/, alertmanager.yml
    monitoring.up(settings, say)             # `chatlake ops up`: render, then start the three
    monitoring.down(settings, say)

Rendering changes only what settings decide: each scrape job's target (the CHATLAKE_*_PORT
settings), the Alertmanager address, the scrape interval and the Discord webhook URL
(CHATLAKE_ALERTS_DISCORD_WEBHOOK_URL; the rendered alertmanager.yml is mode 0600). Everything
else (rules, routes, timings) is the shipped files' own.
"""

import shutil
from collections.abc import Callable
from pathlib import Path

import yaml

from chatlake.embedded import processes
from core.settings import Settings

DEPLOY_DIR = Path(__file__).resolve().parents[2] / "deploy"
PROMETHEUS, ALERTMANAGER, NODE_EXPORTER = "prometheus", "alertmanager", "node-exporter"
BINARIES = {PROMETHEUS: "prometheus", ALERTMANAGER: "prometheus-alertmanager",
            NODE_EXPORTER: "prometheus-node-exporter"}
JOBS = ("chatlake-monitor", "chatlake-ingest", "chatlake-clipper", "chatlake-archiver",
        "chatlake-api", "flink", "node")

Say = Callable[[str], None]


def targets(settings: Settings) -> dict[str, str]:
    """host:port of every scrape job, from the settings."""
    host, metrics = settings.metrics.host, settings.metrics
    flink_port = (settings.detector.metrics_port or "9249").split("-")[0]
    return {"chatlake-monitor": f"{host}:{metrics.monitor_port}",
            "chatlake-ingest": f"{host}:{metrics.ingest_port}",
            "chatlake-clipper": f"{host}:{metrics.clipper_port}",
            "chatlake-archiver": f"{host}:{metrics.archiver_port}",
            "chatlake-api": f"127.0.0.1:{settings.api.port}",
            "flink": f"{host}:{flink_port}",
            "node": f"127.0.0.1:{settings.alerts.node_exporter_port}"}


def render_prometheus(settings: Settings, folder: Path) -> Path:
    source = DEPLOY_DIR / "prometheus"
    config = yaml.safe_load((source / "prometheus.yml").read_text())
    interval = f"{settings.alerts.scrape_interval_s:g}s"
    config["global"]["scrape_interval"] = config["global"]["evaluation_interval"] = interval
    config["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"] = [
        f"127.0.0.1:{settings.alerts.alertmanager_port}"]
    wanted = targets(settings)
    for job in config["scrape_configs"]:
        for static in job["static_configs"]:
            static["targets"] = [wanted[job["job_name"]]]
    rules = folder / "rules"
    rules.mkdir(parents=True, exist_ok=True)
    config["rule_files"] = []
    for rule_file in sorted((source / "rules").glob("*.yml")):
        shutil.copyfile(rule_file, rules / rule_file.name)
        config["rule_files"].append(str((rules / rule_file.name).resolve()))
    target = folder / "prometheus.yml"
    target.write_text("# Rendered by `chatlake ops render` from deploy/prometheus/prometheus.yml"
                      "\n" + yaml.safe_dump(config, sort_keys=False))
    return target


def render_alertmanager(settings: Settings, folder: Path) -> Path:
    config = yaml.safe_load((DEPLOY_DIR / "alertmanager" / "alertmanager.yml").read_text())
    url = settings.alerts.discord_webhook_url
    if url:
        for receiver in config["receivers"]:
            for discord in receiver.get("discord_configs", []):
                discord["webhook_url"] = url
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "alertmanager.yml"
    target.touch(mode=0o600)
    target.chmod(0o600)  # the webhook URL is a secret
    target.write_text("# Rendered by `chatlake ops render` from "
                      "deploy/alertmanager/alertmanager.yml\n"
                      + yaml.safe_dump(config, sort_keys=False))
    return target


def render(settings: Settings, folder: Path) -> list[Path]:
    return [render_prometheus(settings, folder), render_alertmanager(settings, folder)]


def ops_dir(settings: Settings) -> Path:
    return settings.state_dir.resolve() / "ops"


def commands(settings: Settings, folder: Path) -> dict[str, list[str]]:
    alerts = settings.alerts
    return {
        NODE_EXPORTER: [BINARIES[NODE_EXPORTER],
                        f"--web.listen-address=127.0.0.1:{alerts.node_exporter_port}"],
        ALERTMANAGER: [BINARIES[ALERTMANAGER], f"--config.file={folder / 'alertmanager.yml'}",
                       f"--storage.path={folder / 'alertmanager-data'}",
                       f"--web.listen-address=127.0.0.1:{alerts.alertmanager_port}",
                       "--cluster.listen-address="],
        PROMETHEUS: [BINARIES[PROMETHEUS], f"--config.file={folder / 'prometheus.yml'}",
                     f"--storage.tsdb.path={folder / 'prometheus-data'}",
                     f"--web.listen-address=127.0.0.1:{alerts.prometheus_port}"],
    }


def up(settings: Settings, say: Say) -> dict[str, str]:
    """Render the configs under <state>/ops and start what is not running; their URLs."""
    folder = ops_dir(settings)
    render(settings, folder)
    ports = {NODE_EXPORTER: settings.alerts.node_exporter_port,
             ALERTMANAGER: settings.alerts.alertmanager_port,
             PROMETHEUS: settings.alerts.prometheus_port}
    for name, command in commands(settings, folder).items():
        if shutil.which(command[0]) is None:
            raise processes.StartupError(
                f"{command[0]} is not installed (Debian: apt-get install prometheus "
                "prometheus-alertmanager prometheus-node-exporter)")
        if processes.running(settings.run_dir, name) is not None:
            say(f"{name} already running")
            continue
        processes.ensure_port_free(ports[name], name)
        record = processes.start_detached(name, command, run_dir=settings.run_dir,
                                          log_dir=settings.log_dir,
                                          endpoint=f"127.0.0.1:{ports[name]}")
        if not processes.wait_until(lambda p=ports[name]: processes.port_accepts(p),
                                    timeout=30.0):
            processes.stop(settings.run_dir, name)
            log = processes.log_file(settings.log_dir, name)
            raise processes.StartupError(f"{name} did not start; see {log}:\n"
                                         f"{processes.log_tail(log)}")
        say(f"{name} at http://127.0.0.1:{ports[name]}/ (pid {record.pid})")
    return {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}


def down(settings: Settings, say: Say) -> None:
    for name in (PROMETHEUS, ALERTMANAGER, NODE_EXPORTER):
        record = processes.stop(settings.run_dir, name)
        say(f"{name}: stopped (pid {record.pid})" if record else f"{name}: not running")
