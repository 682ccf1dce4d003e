import pytest


@pytest.fixture(autouse=True)
def dagster_home(tmp_path, monkeypatch):
    """Every Dagster instance a test makes lives in its own folder, telemetry off."""
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster"))
    monkeypatch.setenv("DAGSTER_DISABLE_TELEMETRY", "yes")
    (tmp_path / "dagster").mkdir()
