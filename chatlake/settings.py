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
