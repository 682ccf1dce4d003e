"""The lake: one Delta table per dataset under one URI, a local folder or s3://bucket/prefix.

Every write is one Delta commit (delta-rs), so a reader sees a batch whole or not at all, and a
commit can carry application transactions (`app_id` -> version): the archiver's Kafka offsets and
the importers' source files, kept in the same atomic step as the rows they describe. On S3 commits
use conditional PUTs (`conditional_put=etag`), never an unsafe rename.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pyarrow as pa
from deltalake import (
    CommitProperties,
    DeltaTable,
    Transaction,
    WriterProperties,
    write_deltalake,
)
from deltalake.exceptions import DeltaError, TableNotFoundError

from core.settings import LakeSettings

WRITER_PROPERTIES = WriterProperties(compression="ZSTD", compression_level=3)
PARTITION_BY = ["date"]

Data = pa.Table | pa.RecordBatchReader
TableVersion = int | datetime | None


@dataclass(frozen=True)
class LakeStore:
    """Where the lake's tables are and how to reach them; opens, appends and replaces."""

    uri: str
    # Holds the S3 keys: never in a repr, so never in a log line.
    storage_options: Mapping[str, str] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        uri = self.uri.rstrip("/")
        if "://" not in uri or uri.startswith("file://"):
            uri = str(Path(uri.removeprefix("file://")).resolve())
        object.__setattr__(self, "uri", uri)

    @classmethod
    def from_settings(cls, lake: LakeSettings) -> "LakeStore":
        assert lake.uri is not None, "Settings fill in the lake's URI"
        return cls(lake.uri, s3_storage_options(lake) if lake.uri.startswith("s3://") else {})

    @classmethod
    def at(cls, uri: str) -> "LakeStore":
        """The lake at `uri`, with the S3 settings (`CHATLAKE_LAKE_S3_*`) of the environment."""
        return cls.from_settings(LakeSettings(uri=uri))

    @property
    def is_local(self) -> bool:
        return "://" not in self.uri

    @property
    def local_root(self) -> Path | None:
        return Path(self.uri) if self.is_local else None

    def table_uri(self, name: str) -> str:
        return f"{self.uri}/{name}"

    def exists(self, name: str) -> bool:
        return DeltaTable.is_deltatable(self.table_uri(name), dict(self.storage_options))

    def open(self, name: str, version: TableVersion = None) -> DeltaTable | None:
        """The table at its newest version (or `version`: a number or a time), or None when
        nothing has been written to it yet."""
        try:
            table = DeltaTable(self.table_uri(name), storage_options=dict(self.storage_options))
        except TableNotFoundError:
            return None
        if version is not None:
            try:
                table.load_as_version(version)
            except DeltaError:
                if isinstance(version, datetime):
                    return None  # the table was made after that time
                raise
        return table

    def transaction_versions(self, name: str, app_ids: list[str]) -> dict[str, int]:
        """The version each application last committed to table `name` (absent: never)."""
        table = self.open(name)
        if table is None:
            return {}
        versions = {app_id: table.transaction_version(app_id) for app_id in app_ids}
        return {app_id: v for app_id, v in versions.items() if v is not None}

    def append(self, name: str, data: Data, *, transactions: Mapping[str, int] = {},
               partition_by: list[str] | None = PARTITION_BY,
               table: DeltaTable | None = None) -> None:
        """Add rows in one commit, recording `transactions` (app id -> version) with them.

        `table`, the open table `name`, saves opening it again (and is brought up to the
        new version); without it the table is opened (or created) by its URI."""
        write_deltalake(
            self._target(name, table), data, mode="append", partition_by=partition_by,
            storage_options=dict(self.storage_options), writer_properties=WRITER_PROPERTIES,
            commit_properties=_commit_properties(transactions),
        )

    def replace(self, name: str, data: Data, predicate: str, *,
                transactions: Mapping[str, int] = {},
                partition_by: list[str] | None = PARTITION_BY,
                table: DeltaTable | None = None) -> None:
        """Delete the rows matching `predicate` and add `data` (whose rows must match it too),
        in one commit. `predicate` is Delta SQL built by the caller from quoted literals (see
        `sql_string`). `table` as in `append`."""
        if table is None and not self.exists(name):
            return self.append(name, data, transactions=transactions, partition_by=partition_by)
        write_deltalake(
            self._target(name, table), data, mode="overwrite", predicate=predicate,
            partition_by=partition_by, storage_options=dict(self.storage_options),
            writer_properties=WRITER_PROPERTIES,
            commit_properties=_commit_properties(transactions),
        )

    def _target(self, name: str, table: DeltaTable | None) -> DeltaTable | str:
        return self.table_uri(name) if table is None else table


def sql_string(value: str) -> str:
    """A SQL string literal: values are quoted, never pasted into predicates raw."""
    return "'" + value.replace("'", "''") + "'"


def s3_storage_options(lake: LakeSettings) -> dict[str, str]:
    """delta-rs's object-store options for an S3 lake; commits by conditional PUT."""
    options = {"conditional_put": "etag"}
    for key, value in (("AWS_ENDPOINT_URL", lake.s3_endpoint_url),
                       ("AWS_REGION", lake.s3_region),
                       ("AWS_ACCESS_KEY_ID", lake.s3_access_key_id),
                       ("AWS_SECRET_ACCESS_KEY", lake.s3_secret_access_key)):
        if value:
            options[key] = value
    if lake.s3_allow_http:
        options["AWS_ALLOW_HTTP"] = "true"
    return options


def _commit_properties(transactions: Mapping[str, int]) -> CommitProperties | None:
    if not transactions:
        return None
    return CommitProperties(app_transactions=[
        Transaction(app_id, version) for app_id, version in transactions.items()])
