import pytest


@pytest.fixture(autouse=True)
def quiet_tools(tmp_path, monkeypatch):
    """No telemetry from dbt or Dagster (there is no route out); Dagster in its own folder."""
    monkeypatch.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    monkeypatch.setenv("DAGSTER_DISABLE_TELEMETRY", "yes")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster"))
    (tmp_path / "dagster").mkdir()
