"""`chatlake lake migrate`: a lake of plain Parquet folders (chatlake before Delta) into tables.

Each dataset folder `<lake>/<dataset>/date=YYYY-MM-DD/*.parquet` is read once and written as a
Delta table beside it (`<dataset>.migrating`); only when the table's row count equals the
folder's are the folders swapped (the old one kept under `_parquet_before_migration/`). An
interrupted run is recognised from what it left, and the error says how to finish. Rows of
imported files keep their content hash (it was in their file names), recorded as application
transactions, so importing one of those files again does not double it.
"""

import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pyarrow as pa

from warehouse.lake_schema import DATASETS, IMPORT_DIGEST, Dataset
from warehouse.lake_store import LakeStore

BACKUP = "_parquet_before_migration"
# Files the importers wrote were named import+<content hash>+<chunk>.parquet.
IMPORT_PREFIX = "import+"


class MigrationError(Exception):
    """The lake cannot be migrated as it is; the message says what to do."""


def migrate(store: LakeStore) -> Iterator[str]:
    """Migrate every dataset that is still a plain folder; yields one line per dataset."""
    if store.local_root is None:
        raise MigrationError("migrate works on a local lake folder; copy an object-store "
                             "lake down, migrate it, and copy the tables back")
    root = store.local_root
    for dataset in DATASETS:
        yield _migrate_dataset(root, dataset, store)
    old_bookkeeping = root / "_archiver"
    if old_bookkeeping.is_dir():
        (root / BACKUP).mkdir(exist_ok=True)
        old_bookkeeping.rename(root / BACKUP / "_archiver")


def _migrate_dataset(root: Path, dataset: Dataset, store: LakeStore) -> str:
    folder = root / dataset.name
    staging = root / f"{dataset.name}.migrating"
    backup = root / BACKUP / dataset.name
    if staging.exists():
        if folder.exists():
            raise MigrationError(
                f"an earlier migration of {dataset.name} stopped before finishing: {staging} "
                f"is a partial table and {folder} is untouched. Remove the partial table "
                f"(rm -r '{staging}') and run `chatlake lake migrate` again")
        raise MigrationError(
            f"an earlier migration of {dataset.name} stopped between its last two steps: the "
            f"old files are in {backup} and the complete table is {staging}. Finish with "
            f"mv '{staging}' '{folder}', then run `chatlake lake migrate` again")
    if store.exists(dataset.name):
        return f"{dataset.name}: already a table"
    files = sorted(folder.glob("date=*/*.parquet")) if folder.is_dir() else []
    if not files:
        return f"{dataset.name}: nothing to migrate"
    expected, digests = _count_and_digests(folder)
    staging_store = LakeStore(str(root))
    staging_store.append(staging.name, _read_folder(folder, dataset),
                         transactions={f"import/{d}": 1 for d in digests})
    migrated = staging_store.open(staging.name)
    assert migrated is not None
    counted = migrated.to_pyarrow_dataset().count_rows()
    if counted != expected:
        shutil.rmtree(staging)
        raise MigrationError(f"{dataset.name}: the table counted {counted} rows, the files "
                             f"{expected}; nothing was changed")
    backup.parent.mkdir(exist_ok=True)
    folder.rename(backup)
    staging.rename(folder)
    return f"{dataset.name}: {len(files)} files, {expected} rows -> table (old files in {backup})"


def _glob(folder: Path) -> str:
    return str(folder / "*" / "*.parquet").replace("'", "''")


def _source_sql(folder: Path) -> str:
    return (f"read_parquet('{_glob(folder)}', hive_partitioning = true, "
            "union_by_name = true, filename = true)")


def _digest_sql() -> str:
    name = "parse_filename(filename)"
    return (f"case when starts_with({name}, '{IMPORT_PREFIX}') "
            f"then left(split_part({name}, '+', 2), 15) end")


def _count_and_digests(folder: Path) -> tuple[int, list[str]]:
    con = duckdb.connect()
    count = con.execute(f"select count(*) from {_source_sql(folder)}").fetchone()[0]
    rows = con.execute(f"select distinct {_digest_sql()} from {_source_sql(folder)}").fetchall()
    return count, sorted(r[0] for r in rows if r[0])


def _read_folder(folder: Path, dataset: Dataset) -> pa.RecordBatchReader:
    schema = dataset.read_schema
    columns = []
    for field in schema:
        if field.name == IMPORT_DIGEST.name:
            columns.append(f"{_digest_sql()} as {field.name}")
        elif field.name == "date":
            columns.append("cast(date as date) as date")
        else:
            columns.append(f'"{field.name}"')
    con = duckdb.connect()
    reader = con.execute(f"select {', '.join(columns)} from {_source_sql(folder)}") \
        .fetch_record_batch(100_000)
    return pa.RecordBatchReader.from_batches(
        schema, (batch.cast(schema) for batch in reader))
