"""Every endpoint and tunable, read from `CHATLAKE_*` variables, in one section per part.

Built at the entry point (`Settings()` in the CLI, a service's main, Dagster's definitions),
never at import time, and handed down. Each section reads its own prefix, so the variable names
stay flat: `settings.detector.k` is `CHATLAKE_DETECTOR_K`, `settings.lake.uri` is
`CHATLAKE_LAKE_URI`. An endpoint left unset means "use the embedded one that `chatlake up`
starts". Paths that default to somewhere under the state folder are filled in once, here, when
the settings are built: `settings.lake.uri` is always where the lake is.

In code and tests a section can be given as a dict: `Settings(lake={"uri": "s3://b/p"})`.
"""

from pathlib import Path
from typing import Literal

from chatlake_contracts import presets
from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The Twitch stand-in's built-in app (standin/): every client uses it when pointed there.
STANDIN_CLIENT_ID = "chatlakestandinclientid000001"
STANDIN_CLIENT_SECRET = "chatlakestandinsecret000000001"  # noqa: S105 - a test app's


def _section(prefix: str) -> SettingsConfigDict:
    return SettingsConfigDict(env_prefix=f"CHATLAKE_{prefix}", env_file=".env", extra="ignore")


class LakeSettings(BaseSettings):
    model_config = _section("LAKE_")

    uri: str | None = Field(
        default=None,
        description="Where the lake's Delta tables live: a folder or s3://bucket/prefix. "
        "Default: <state_dir>/lake.",
    )
    # An S3 lake: the usual endpoint and credentials. Unset values fall back to the AWS_*
    # variables and files that delta-rs and DuckDB read themselves.
    s3_endpoint_url: str | None = Field(
        default=None, description="S3 API endpoint, e.g. http://127.0.0.1:9000 (MinIO, moto)."
    )
    s3_region: str | None = None
    s3_access_key_id: str | None = None
    s3_secret_access_key: str | None = Field(default=None, repr=False)
    s3_allow_http: bool = Field(
        default=False, description="Allow a plain-HTTP endpoint (a server on loopback)."
    )
    vacuum_retention_hours: float = Field(
        default=168.0,
        description="`chatlake lake vacuum` deletes files no table version has needed for this "
        "long; a reader that pinned an older version keeps it this long.",
    )


class PrivacySettings(BaseSettings):
    """Opt-outs and erasure (docs/privacy.md)."""

    model_config = _section("PRIVACY_")

    refresh_s: float = Field(
        default=30.0, description="How often the ingest and the archiver re-read the opt-outs."
    )
    reader_retention_hours: float = Field(
        default=1.0, description="An erasure vacuums files no version of this many hours "
        "needs: a query that began before the erasure may still read them that long.",
    )


class RetentionSettings(BaseSettings):
    """Days of raw data kept per dataset: CHATLAKE_RETENTION_DAYS_CHAT_MESSAGES=90, ...
    Unset: kept forever. The marts keep their aggregates."""

    model_config = _section("RETENTION_DAYS_")

    chat_messages: int | None = Field(default=None, ge=1)
    chat_windows: int | None = Field(default=None, ge=1)
    stream_lifecycle: int | None = Field(default=None, ge=1)
    dead_letters: int | None = Field(default=None, ge=1)

    def limits(self) -> dict[str, int]:
        return {name: days for name, days in self.model_dump().items() if days is not None}


class KafkaSettings(BaseSettings):
    model_config = _section("KAFKA_")

    bootstrap_servers: str | None = Field(
        default=None,
        description="An external Kafka cluster (host:port,...). Unset: the embedded Tansu broker.",
    )
    port: int = Field(default=19092, description="Port of the embedded broker.")

    @property
    def embedded(self) -> bool:
        return self.bootstrap_servers is None

    @property
    def servers(self) -> str:
        return self.bootstrap_servers or f"127.0.0.1:{self.port}"


class PostgresSettings(BaseSettings):
    model_config = _section("POSTGRES_")

    dsn: str | None = Field(
        default=None,
        description="An external PostgreSQL (postgresql://...). Unset: the embedded server.",
    )
    port: int = Field(default=15432, description="Port of the embedded PostgreSQL.")

    @property
    def embedded(self) -> bool:
        return self.dsn is None

    @property
    def url(self) -> str:
        return self.dsn or f"postgresql://chatlake@127.0.0.1:{self.port}/chatlake"


class ApiSettings(BaseSettings):
    model_config = _section("API_")

    port: int = Field(default=8780, description="Port of the web UI and API.")


class ArchiverSettings(BaseSettings):
    model_config = _section("ARCHIVER_")

    group_id: str = "chatlake-archiver"
    max_batch_messages: int = Field(
        default=200_000, description="Commit a batch per topic after this many messages."
    )
    max_batch_seconds: float = Field(
        default=5.0, description="...or after this many seconds, whichever comes first."
    )


class DetectorSettings(BaseSettings):
    """The PyFlink job in streaming/ and its pure-Python reference."""

    model_config = _section("DETECTOR_")

    preset: str = Field(
        default=presets.DEFAULT_PRESET,
        description="The named detector parameters (chatlake_contracts.presets): "
        f"{', '.join(presets.PRESETS)}. The five values below, when set, replace its fields.",
    )
    # Unset (None): the preset's value. Set, even to the preset's own value: an override.
    bucket_seconds: int | None = Field(default=None, description="Window length, whole seconds.")
    baseline_seconds: int | None = Field(
        default=None,
        description="Baseline length: no detection before, compared against after.",
    )
    k: float | None = Field(
        default=None, description="The rule: fire when a window's count exceeds mean + k * std."
    )
    cooldown_seconds: int | None = Field(
        default=None, description="No second detection for a channel within this time."
    )
    min_count: int | None = Field(
        default=None, description="A window needs at least this many messages to fire."
    )
    params_file: Path | None = Field(
        default=None,
        description="The applied detector parameters (`chatlake tune --apply`); when the file "
        "exists the job uses it instead of the preset and the values above. Default: "
        "<state_dir>/detector/params.json.",
    )
    checkpoint_uri: str | None = Field(
        default=None,
        description="Where Flink checkpoints go (file:// or s3://). "
        "Default: <state_dir>/detector/checkpoints.",
    )
    parallelism: int = Field(default=1, description="Flink parallelism of the job.")
    in_up: bool = Field(
        default=True, description="`chatlake up` also starts the detector (a mini-cluster)."
    )
    group_id: str = "chatlake-detector"
    flink_address: str | None = Field(
        default=None,
        description="REST address (host:port) of a Flink 2.0 cluster's JobManager. Set: "
        "`chatlake detector submit` and `up` submit the job there with `flink run -py` "
        "instead of running a local mini-cluster.",
    )
    flink_python: str | None = Field(
        default=None,
        description="The Python (with apache-flink and chatlake-contracts) the cluster's "
        "TaskManagers run the job's Python code with. Default: streaming/.venv's.",
    )
    metrics_port: str | None = Field(
        default="9249-9259",
        description="Port (or range) of the job's Prometheus metrics reporter; empty: none.",
    )

    @field_validator("preset")
    @classmethod
    def _known_preset(cls, name: str) -> str:
        presets.preset(name)  # ValueError naming the known ones
        return name


class TwitchSettings(BaseSettings):
    """Where Twitch is (or its stand-in), the app, and the seeded user token."""

    model_config = _section("TWITCH_")

    client_id: str | None = Field(
        default=None, description="The Twitch app's client id (the stand-in's when unset)."
    )
    client_secret: str | None = Field(
        default=None, description="The Twitch app's client secret (the stand-in's when unset)."
    )
    standin_url: str | None = Field(
        default=None,
        description="Base URL of a Twitch stand-in (http://127.0.0.1:8790). Set: every Twitch "
        "client talks to it instead of Twitch.",
    )
    standin_port: int = Field(default=8790, description="Port of `chatlake standin`.")
    helix_url: str = "https://api.twitch.tv/helix/"
    auth_url: str = "https://id.twitch.tv/oauth2/"
    eventsub_ws_url: str = "wss://eventsub.wss.twitch.tv/ws"
    token_file: Path | None = Field(
        default=None,
        description="The seeded user token (JSON, mode 0600). "
        "Default: <state_dir>/twitch-token.json.",
    )
    redirect_url: str = Field(
        default="http://localhost:17563",
        description="OAuth redirect URL registered with the app; `auth seed` listens on its port.",
    )

    @property
    def helix(self) -> str:
        return f"{self.standin_url.rstrip('/')}/helix/" if self.standin_url else self.helix_url

    @property
    def auth(self) -> str:
        """pyTwitchAPI's auth_base_url (ends in /oauth2/)."""
        return f"{self.standin_url.rstrip('/')}/oauth2/" if self.standin_url else self.auth_url

    @property
    def id_base(self) -> str:
        """twitchio's Route.ID_BASE: the auth URL without its oauth2/ path."""
        return self.auth.removesuffix("oauth2/")

    @property
    def eventsub_ws(self) -> str:
        if self.standin_url:
            return self.standin_url.rstrip("/").replace("http", "ws", 1) + "/ws"
        return self.eventsub_ws_url


class IngestSettings(BaseSettings):
    """The live chat ingest service."""

    model_config = _section("INGEST_")

    max_channels: int = Field(
        default=95, description="Chat channels read at once (Twitch allows a user 100)."
    )
    buffer_messages: int = Field(
        default=100_000, description="Chat records held while Kafka is unreachable, then dropped."
    )
    validate_interval_s: float = Field(
        default=3600.0, description="How often the ingest service validates its token."
    )
    channels: str | None = Field(
        default=None,
        description="Extra channels to read regardless of stream-lifecycle: comma-separated ids.",
    )
    shard: str | None = Field(
        default=None,
        description="Run as this ingest shard (one per Twitch account): read the channels the "
        "monitor assigns to it in PostgreSQL instead of following stream-lifecycle.",
    )
    heartbeat_s: float = Field(
        default=5.0, description="A shard's heartbeat and assignment poll interval."
    )


class MonitorSettings(BaseSettings):
    """The stream monitor: which top streams are followed, with hysteresis."""

    model_config = _section("MONITOR_")

    top_n: int = Field(
        default=20, description="How many top live streams each poll reads (>= the leave rank)."
    )
    page_size: int = Field(default=100, description="Get Streams `first` (<= 100).")
    join_rank: int = Field(default=5, description="Join a channel in this top rank.")
    leave_rank: int = Field(
        default=10, description="Leave a followed channel only when it drops below this rank."
    )
    offline_after_polls: int = Field(
        default=3, description="A followed channel missing from this many polls is offline."
    )
    shard_dead_after_s: float = Field(
        default=30.0, description="An ingest shard whose heartbeat is older loses its channels "
        "at the next cycle (keep it below the poll interval and above the shard heartbeat)."
    )
    shard_check_s: float = Field(
        default=10.0, description="`monitor run`: between polls, move a dead ingest shard's "
        "channels this often (PostgreSQL only, no Helix call); 0: only at each poll."
    )
    interval_s: float = Field(
        default=120.0, description="Poll interval of `chatlake monitor run` (the Dagster "
        "schedule has its own cron, every 2 minutes)."
    )


class ClipperSettings(BaseSettings):
    """The clipper: detections -> Create Clip -> completed clips."""

    model_config = _section("CLIPPER_")

    # Chat peaks lag the moment by ~17-28 s (median, docs/tuning.md "Clip timing") and a live
    # clip ends at the call: 5 s keeps most moments inside a 30 s clip, the peak 5 s before its end.
    create_delay_s: float = Field(
        default=5.0, description="Create Clip this long after the detection time."
    )
    chat_lag_s: float = Field(
        default=20.0, description="How far chat peaks lag the moment they react to "
        "(docs/tuning.md \"Clip timing\"); `clips from-vod` places the moment by it."
    )
    retry_delays_s: tuple[float, ...] = Field(
        default=(2.0, 4.0), description="Waits before each retry of a transient failure (JSON)."
    )
    read_after_s: float = Field(
        default=15.0, description="Read the clip's metadata this long after creating it."
    )
    read_bound_s: float = Field(
        default=60.0, description="Give up on a clip not visible this long after creating it."
    )
    clip_seconds: float = Field(default=30.0, description="Clip duration (5-60 s).")
    concurrency: int = Field(default=4, description="Detections clipped at once.")
    poll_interval_s: float = Field(
        default=1.0, description="How often the clipper looks for due detections."
    )
    worker_id: str | None = Field(
        default=None, description="This clipper's name in claimed rows (default: host name); "
        "give each concurrent clipper its own."
    )
    lease_s: float = Field(
        default=300.0, description="A claimed detection is reclaimable after this long."
    )
    request_timeout_s: float = Field(default=10.0, description="Helix request timeout.")


class MetricsSettings(BaseSettings):
    """Where each service serves Prometheus `/metrics`, `/health` and `/health/ready` (the API
    serves its own on its port)."""

    model_config = _section("METRICS_")

    host: str = Field(default="127.0.0.1", description="Where /metrics endpoints listen.")
    monitor_port: int = Field(
        default=9401, description="Prometheus port of `chatlake monitor run` / demo; 0: off."
    )
    ingest_port: int = Field(
        default=9402, description="Prometheus port of `chatlake ingest`; 0: off."
    )
    clipper_port: int = Field(
        default=9403, description="Prometheus port of `chatlake clipper`; 0: off."
    )
    archiver_port: int = Field(
        default=9404, description="Prometheus port of `chatlake archive` (and `up`'s); 0: off."
    )
    detector_port: int = Field(
        default=9405, description="/health and /health/ready of `chatlake detector run` (its "
        "metrics are Flink's reporter, CHATLAKE_DETECTOR_METRICS_PORT); 0: off."
    )
    lag_interval_s: float = Field(
        default=15.0, description="How often the archiver samples consumer lag of the "
        "chatlake groups (chatlake_kafka_consumer_lag)."
    )


class LogSettings(BaseSettings):
    """How every chatlake process logs (chatlake_contracts.logformat)."""

    model_config = _section("LOG_")

    format: Literal["text", "json"] = Field(
        default="text", description="text: one readable line; json: one JSON object per line "
        "(time, level, service, event, fields) for Promtail/Loki or any collector.")
    level: str = Field(default="INFO", description="Lowest level written (DEBUG, INFO, ...).")


class AlertSettings(BaseSettings):
    """What `chatlake ops render` writes into the Prometheus and Alertmanager configs, and where
    `chatlake ops up` runs them (deploy/, docs/operations.md)."""

    model_config = _section("ALERTS_")

    discord_webhook_url: str | None = Field(
        default=None, description="The Discord webhook alerts are sent to "
        "(https://discord.com/api/webhooks/...). Unset: a placeholder that answers nothing.")
    alertmanager_port: int = Field(default=9093, description="Alertmanager's port.")
    prometheus_port: int = Field(default=9090, description="Prometheus's port.")
    node_exporter_port: int = Field(default=9100, description="prometheus-node-exporter's port.")
    scrape_interval_s: float = Field(default=15.0, description="Prometheus scrape interval.")


class Settings(BaseSettings):
    model_config = _section("")

    state_dir: Path = Field(
        default=Path(".chatlake"),
        description="Folder for the embedded services' data, logs and pid files.",
    )
    history_dir: Path | None = Field(
        default=None,
        description="Folder the Dagster history sensor watches for chat files to backfill. "
        "Default: <state_dir>/history.",
    )
    lake: LakeSettings = Field(default_factory=LakeSettings)
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    postgres: PostgresSettings = Field(default_factory=PostgresSettings)
    api: ApiSettings = Field(default_factory=ApiSettings)
    archiver: ArchiverSettings = Field(default_factory=ArchiverSettings)
    detector: DetectorSettings = Field(default_factory=DetectorSettings)
    twitch: TwitchSettings = Field(default_factory=TwitchSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    monitor: MonitorSettings = Field(default_factory=MonitorSettings)
    clipper: ClipperSettings = Field(default_factory=ClipperSettings)
    metrics: MetricsSettings = Field(default_factory=MetricsSettings)
    log: LogSettings = Field(default_factory=LogSettings)
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    privacy: PrivacySettings = Field(default_factory=PrivacySettings)
    retention: RetentionSettings = Field(default_factory=RetentionSettings)

    @model_validator(mode="after")
    def _place_under_state_dir(self) -> "Settings":
        """The one place where state-folder defaults are decided."""
        state = self.state_dir.resolve()
        self.history_dir = (self.history_dir or state / "history").resolve()
        self.lake.uri = self.lake.uri or str(state / "lake")
        detector = self.detector
        detector.params_file = (detector.params_file or state / "detector" / "params.json"
                                ).resolve()
        detector.checkpoint_uri = (detector.checkpoint_uri
                                   or (state / "detector" / "checkpoints").as_uri())
        self.twitch.token_file = self.twitch.token_file or state / "twitch-token.json"
        return self

    @property
    def warehouse_path(self) -> Path:
        """The DuckDB file the dbt marts are built into."""
        return self.state_dir.resolve() / "warehouse.duckdb"

    @property
    def run_dir(self) -> Path:
        return self.state_dir / "run"

    @property
    def log_dir(self) -> Path:
        return self.state_dir / "logs"
