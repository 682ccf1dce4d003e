"""Every endpoint and tunable as one settings object, read from `CHATLAKE_*` variables.

Built at the entry point (`Settings()` in the CLI or a service's main), never at import time.
An endpoint left unset means "use the embedded one that `chatlake up` starts".
"""

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CHATLAKE_", env_file=".env", extra="ignore")

    state_dir: Path = Field(
        default=Path(".chatlake"),
        description="Folder for the embedded services' data, logs and pid files.",
    )
    lake_uri: str | None = Field(
        default=None,
        description="Where the Parquet lake lives: a folder or s3://bucket/prefix. "
        "Default: <state_dir>/lake.",
    )

    kafka_bootstrap_servers: str | None = Field(
        default=None,
        description="An external Kafka cluster (host:port,...). Unset: the embedded Tansu broker.",
    )
    kafka_port: int = Field(default=19092, description="Port of the embedded broker.")

    postgres_dsn: str | None = Field(
        default=None,
        description="An external PostgreSQL (postgresql://...). Unset: the embedded server.",
    )
    postgres_port: int = Field(default=15432, description="Port of the embedded PostgreSQL.")

    api_port: int = Field(default=8780, description="Port of the web UI and API.")

    archiver_group_id: str = "chatlake-archiver"
    archiver_max_batch_messages: int = Field(
        default=200_000, description="Flush a Parquet file per topic after this many messages."
    )
    archiver_max_batch_seconds: float = Field(
        default=5.0, description="...or after this many seconds, whichever comes first."
    )

    @property
    def embedded_kafka(self) -> bool:
        return self.kafka_bootstrap_servers is None

    @property
    def embedded_postgres(self) -> bool:
        return self.postgres_dsn is None

    @property
    def kafka_servers(self) -> str:
        return self.kafka_bootstrap_servers or f"127.0.0.1:{self.kafka_port}"

    @property
    def postgres_url(self) -> str:
        return self.postgres_dsn or (
            f"postgresql://chatlake@127.0.0.1:{self.postgres_port}/chatlake"
        )

    @property
    def lake(self) -> str:
        return self.lake_uri or str(self.state_dir.resolve() / "lake")

    @property
    def run_dir(self) -> Path:
        return self.state_dir / "run"

    @property
    def log_dir(self) -> Path:
        return self.state_dir / "logs"

    # --- detector (issue 4): the PyFlink job in streaming/ and its pure-Python reference ---
    detector_bucket_seconds: int = Field(default=5, description="Window length, whole seconds.")
    detector_baseline_seconds: int = Field(
        default=300, description="Baseline length: no detection before, compared against after."
    )
    detector_k: float = Field(
        default=3.0, description="Fire when a window's count exceeds mean + k * std."
    )
    detector_cooldown_seconds: int = Field(
        default=30, description="No second detection for a channel within this time."
    )
    detector_min_count: int = Field(
        default=5, description="A window needs at least this many messages to fire."
    )
    detector_params_file: Path | None = Field(
        default=None,
        description="The applied detector parameters (`chatlake tune --apply`); when the file "
        "exists the job uses it instead of the values above. Default: "
        "<state_dir>/detector/params.json.",
    )
    detector_checkpoint_uri: str | None = Field(
        default=None,
        description="Where Flink checkpoints go (file:// or s3://). "
        "Default: <state_dir>/detector/checkpoints.",
    )
    detector_parallelism: int = Field(default=1, description="Flink parallelism of the job.")
    detector_in_up: bool = Field(
        default=True, description="`chatlake up` also starts the detector (a mini-cluster)."
    )
    detector_group_id: str = "chatlake-detector"
    detector_metrics_port: str | None = Field(
        default="9249-9259",
        description="Port (or range) of the job's Prometheus metrics reporter; empty: none.",
    )

    @property
    def detector_params_path(self) -> Path:
        return (self.detector_params_file
                or self.state_dir / "detector" / "params.json").resolve()

    @property
    def detector_checkpoints(self) -> str:
        return self.detector_checkpoint_uri or (
            self.state_dir.resolve() / "detector" / "checkpoints"
        ).as_uri()

    # --- Twitch side (issue 3): where Twitch is, the token file, the chat ingest service ---
    twitch_client_id: str | None = Field(
        default=None, description="The Twitch app's client id (the stand-in's when unset)."
    )
    twitch_client_secret: str | None = Field(
        default=None, description="The Twitch app's client secret (the stand-in's when unset)."
    )
    twitch_standin_url: str | None = Field(
        default=None,
        description="Base URL of a Twitch stand-in (http://127.0.0.1:8790). Set: every Twitch "
        "client talks to it instead of Twitch.",
    )
    twitch_standin_port: int = Field(default=8790, description="Port of `chatlake standin`.")
    twitch_helix_url: str = "https://api.twitch.tv/helix/"
    twitch_auth_url: str = "https://id.twitch.tv/oauth2/"
    twitch_eventsub_ws_url: str = "wss://eventsub.wss.twitch.tv/ws"
    twitch_token_file: Path | None = Field(
        default=None,
        description="The seeded user token (JSON, mode 0600). "
        "Default: <state_dir>/twitch-token.json.",
    )
    twitch_redirect_url: str = Field(
        default="http://localhost:17563",
        description="OAuth redirect URL registered with the app; `auth seed` listens on its port.",
    )
    ingest_max_channels: int = Field(
        default=95, description="Chat channels read at once (Twitch allows a user 100)."
    )
    ingest_buffer_messages: int = Field(
        default=100_000, description="Chat records held while Kafka is unreachable, then dropped."
    )
    ingest_validate_interval_s: float = Field(
        default=3600.0, description="How often the ingest service validates its token."
    )
    ingest_channels: str | None = Field(
        default=None,
        description="Extra channels to read regardless of stream-lifecycle: comma-separated ids.",
    )

    @property
    def twitch_helix(self) -> str:
        return f"{self.twitch_standin_url.rstrip('/')}/helix/" if self.twitch_standin_url \
            else self.twitch_helix_url

    @property
    def twitch_auth(self) -> str:
        """pyTwitchAPI's auth_base_url (ends in /oauth2/)."""
        return f"{self.twitch_standin_url.rstrip('/')}/oauth2/" if self.twitch_standin_url \
            else self.twitch_auth_url

    @property
    def twitch_id_base(self) -> str:
        """twitchio's Route.ID_BASE: the auth URL without its oauth2/ path."""
        return self.twitch_auth.removesuffix("oauth2/")

    @property
    def twitch_eventsub_ws(self) -> str:
        if self.twitch_standin_url:
            return self.twitch_standin_url.rstrip("/").replace("http", "ws", 1) + "/ws"
        return self.twitch_eventsub_ws_url

    @property
    def twitch_token_path(self) -> Path:
        return self.twitch_token_file or self.state_dir / "twitch-token.json"


    # --- stream monitor, clipper and service metrics (issue 3, items 2, 4, 7) ---
    monitor_top_n: int = Field(
        default=20, description="How many top live streams each poll reads (>= the leave rank)."
    )
    monitor_page_size: int = Field(default=100, description="Get Streams `first` (<= 100).")
    monitor_join_rank: int = Field(default=5, description="Join a channel in this top rank.")
    monitor_leave_rank: int = Field(
        default=10, description="Leave a followed channel only when it drops below this rank."
    )
    monitor_offline_after_polls: int = Field(
        default=3, description="A followed channel missing from this many polls is offline."
    )
    monitor_interval_s: float = Field(
        default=120.0, description="Poll interval of `chatlake monitor run` (the Dagster "
        "schedule has its own cron, every 2 minutes)."
    )
    clipper_create_delay_s: float = Field(
        default=10.0, description="Create Clip this long after the detection time."
    )
    clipper_retry_delays_s: tuple[float, ...] = Field(
        default=(2.0, 4.0), description="Waits before each retry of a transient failure (JSON)."
    )
    clipper_read_after_s: float = Field(
        default=15.0, description="Read the clip's metadata this long after creating it."
    )
    clipper_read_bound_s: float = Field(
        default=60.0, description="Give up on a clip not visible this long after creating it."
    )
    clipper_clip_seconds: float = Field(default=30.0, description="Clip duration (5-60 s).")
    clipper_concurrency: int = Field(default=4, description="Detections clipped at once.")
    clipper_poll_interval_s: float = Field(
        default=1.0, description="How often the clipper looks for due detections."
    )
    clipper_worker_id: str | None = Field(
        default=None, description="This clipper's name in claimed rows (default: host name); "
        "give each concurrent clipper its own."
    )
    clipper_lease_s: float = Field(
        default=300.0, description="A claimed detection is reclaimable after this long."
    )
    clipper_request_timeout_s: float = Field(default=10.0, description="Helix request timeout.")
    metrics_host: str = Field(default="127.0.0.1", description="Where /metrics endpoints listen.")
    metrics_monitor_port: int = Field(
        default=9401, description="Prometheus port of `chatlake monitor run` / demo; 0: off."
    )
    metrics_ingest_port: int = Field(
        default=9402, description="Prometheus port of `chatlake ingest`; 0: off."
    )
    metrics_clipper_port: int = Field(
        default=9403, description="Prometheus port of `chatlake clipper`; 0: off."
    )
