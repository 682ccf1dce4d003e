"""DuckDB's access to the lake: the delta (and, for S3, httpfs) extensions and credentials.

The extensions come from PyPI packages built for one DuckDB release (`duckdb-extension-delta`,
`duckdb-extension-httpfs`): DuckDB cannot download them here, so they are installed from the
package's file. The S3 secret is made from the same settings delta-rs uses (lake_store.py).
"""

import functools
import importlib
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

import duckdb

from warehouse.lake_store import LakeStore


@functools.cache
def extension_file(name: str) -> Path:
    """The `.duckdb_extension` file the PyPI package `duckdb-extension-<name>` ships for the
    installed DuckDB."""
    package = importlib.import_module(f"duckdb_extension_{name}")
    folder = Path(package.__file__).parent / "extensions" / f"v{duckdb.__version__}"
    files = sorted(folder.glob(f"{name}.duckdb_extension"))
    if not files:
        raise RuntimeError(f"duckdb-extension-{name} has no build for DuckDB "
                           f"{duckdb.__version__} (looked in {folder}); pin both to one release")
    return files[0]


def load_lake_extensions(con: duckdb.DuckDBPyConnection, store: LakeStore) -> None:
    """Make `delta_scan` (and S3 paths) work on `con` for this lake."""
    needed = ["delta"] if store.is_local else ["httpfs", "delta"]
    for name in needed:
        con.execute(f"install '{_quoted(str(extension_file(name)))}'")
        con.execute(f"load {name}")
    if not store.is_local:
        con.execute(s3_secret_sql(store.storage_options))


def s3_secret_sql(opts: Mapping[str, str]) -> str:
    """`create secret` for the lake's bucket from delta-rs storage options; values are quoted.
    Without keys, DuckDB's credential chain (AWS_* variables, ~/.aws) is used."""
    parts = ["type s3"]
    if opts.get("AWS_ACCESS_KEY_ID"):
        parts += [f"key_id '{_quoted(opts['AWS_ACCESS_KEY_ID'])}'",
                  f"secret '{_quoted(opts.get('AWS_SECRET_ACCESS_KEY', ''))}'"]
    else:
        parts.append("provider credential_chain")
    if opts.get("AWS_REGION"):
        parts.append(f"region '{_quoted(opts['AWS_REGION'])}'")
    if opts.get("AWS_ENDPOINT_URL"):
        endpoint = urlsplit(opts["AWS_ENDPOINT_URL"])
        parts += [f"endpoint '{_quoted(endpoint.netloc)}'", "url_style 'path'",
                  f"use_ssl {'false' if endpoint.scheme == 'http' else 'true'}"]
    return f"create or replace secret chatlake_lake ({', '.join(parts)})"


def _quoted(value: str) -> str:
    return value.replace("'", "''")
