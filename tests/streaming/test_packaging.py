"""The two environments stay apart: Flink (and Beam's pins) only in streaming/."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def locked(lock: Path) -> dict[str, str]:
    text = lock.read_text()
    return dict(re.findall(r'\[\[package\]\]\nname = "([^"]+)"\nversion = "([^"]+)"', text))


def test_the_main_lock_has_no_flink_or_beam():
    packages = locked(ROOT / "uv.lock")
    assert "apache-flink" not in packages
    assert "apache-beam" not in packages


def test_the_streaming_lock_pins_flink_2_0_0_and_its_connector_jars():
    packages = locked(ROOT / "streaming" / "uv.lock")
    assert packages["apache-flink"] == "2.0.0"
    assert packages["shigawire-apache-flink-libraries"] == "2.0.0.post1"


def test_the_main_project_never_imports_pyflink():
    for folder in ("chatlake", "api", "orchestration", "detector", "standin", "clipper", "ingest",
                   "twitch", "warehouse", "core", "contracts"):
        for path in (ROOT / folder).rglob("*.py"):
            assert "import pyflink" not in path.read_text(), path
            assert "from pyflink" not in path.read_text(), path
