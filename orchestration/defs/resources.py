"""Resources shared by the definitions: the lake, the marts warehouse, the history folder,
PostgreSQL, Kafka, and Helix (live or stand-in). Assets take what they need as resources and
never build settings themselves; `resources_from_settings` binds them all from one `Settings`.

Each is a small interface; `HelixResource` has a live implementation (`TwitchHelixResource`,
the app's credentials read from the environment when a run starts, never shown in the UI) and
a local one (`StandInHelixResource`, the Twitch stand-in's URL and its built-in app). Which one
is bound is decided from settings when Dagster loads the code location.
"""

import dagster as dg
from pydantic import Field

from core.settings import STANDIN_CLIENT_ID, STANDIN_CLIENT_SECRET, Settings
from ingest.monitor import MonitorConfig, MonitorRules
from twitch.helix import HelixEndpoint
from warehouse.lake_store import LakeStore


class LakeResource(dg.ConfigurableResource):
    """The lake (`CHATLAKE_LAKE_URI`): a folder or s3://bucket/prefix."""

    uri: str
    vacuum_retention_hours: float = 168.0
    # Days of raw data kept per table (CHATLAKE_RETENTION_DAYS_*); absent: kept forever.
    retention_days: dict[str, int] = Field(default_factory=dict)

    def store(self) -> LakeStore:
        """The lake's tables (S3 endpoint and keys from `CHATLAKE_LAKE_S3_*` at run time)."""
        return LakeStore.at(self.uri)


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB file the dbt marts are built into."""

    path: str


class HistoryFolderResource(dg.ConfigurableResource):
    """The folder the history sensor watches for chat files (`CHATLAKE_HISTORY_DIR`)."""

    folder: str


class PostgresResource(dg.ConfigurableResource):
    dsn: str


class KafkaResource(dg.ConfigurableResource):
    bootstrap_servers: str


class HelixResource(dg.ConfigurableResource):
    """Where Helix is and which app calls it; `endpoint()` feeds `twitch.helix.HelixClient`."""

    timeout_s: float = 10.0

    def endpoint(self) -> HelixEndpoint:
        raise NotImplementedError


class TwitchHelixResource(HelixResource):
    client_id: str
    client_secret: str
    helix_url: str = "https://api.twitch.tv/helix/"
    auth_url: str = "https://id.twitch.tv/oauth2/"

    def endpoint(self) -> HelixEndpoint:
        return HelixEndpoint(self.helix_url, self.auth_url, self.client_id, self.client_secret,
                             self.timeout_s)


class StandInHelixResource(HelixResource):
    base_url: str
    client_id: str = STANDIN_CLIENT_ID
    client_secret: str = STANDIN_CLIENT_SECRET

    def endpoint(self) -> HelixEndpoint:
        base = self.base_url.rstrip("/")
        return HelixEndpoint(f"{base}/helix/", f"{base}/oauth2/", self.client_id,
                             self.client_secret, self.timeout_s)


class StreamMonitorResource(dg.ConfigurableResource):
    """The monitor's tunables (CHATLAKE_MONITOR_* by default)."""

    top_n: int = 20
    page_size: int = 100
    join_rank: int = 5
    leave_rank: int = 10
    offline_after_polls: int = 3

    def config(self) -> MonitorConfig:
        rules = MonitorRules(self.join_rank, self.leave_rank, self.offline_after_polls)
        return MonitorConfig(max(self.top_n, self.leave_rank), self.page_size, rules)


def helix_resource(settings: Settings) -> HelixResource:
    if settings.twitch.standin_url:
        return StandInHelixResource(base_url=settings.twitch.standin_url)
    return TwitchHelixResource(client_id=dg.EnvVar("CHATLAKE_TWITCH_CLIENT_ID"),
                               client_secret=dg.EnvVar("CHATLAKE_TWITCH_CLIENT_SECRET"),
                               helix_url=settings.twitch.helix_url,
                               auth_url=settings.twitch.auth_url)


def resources_from_settings(settings: Settings) -> dict[str, dg.ConfigurableResource]:
    return {
        "lake": LakeResource(uri=settings.lake.uri,
                             vacuum_retention_hours=settings.lake.vacuum_retention_hours,
                             retention_days=settings.retention.limits()),
        "warehouse": WarehouseResource(path=str(settings.warehouse_path)),
        "history_folder": HistoryFolderResource(folder=str(settings.history_dir)),
        "postgres": PostgresResource(dsn=settings.postgres.url),
        "kafka": KafkaResource(bootstrap_servers=settings.kafka.servers),
        "helix": helix_resource(settings),
        "stream_monitor": StreamMonitorResource(
            top_n=settings.monitor.top_n, page_size=settings.monitor.page_size,
            join_rank=settings.monitor.join_rank, leave_rank=settings.monitor.leave_rank,
            offline_after_polls=settings.monitor.offline_after_polls),
    }
