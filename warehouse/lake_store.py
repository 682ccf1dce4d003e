"""Where lake files are stored: a local folder (fsync + atomic rename) or an object store.

A file becomes visible under its final name only once complete, so readers (DuckDB globs
`*.parquet`) never see half a file, and writing the same name again replaces it.
"""

from pathlib import Path

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from core.files import write_atomically

PARQUET_OPTIONS = {"compression": "zstd", "compression_level": 3}
TEMP_PREFIX = ".tmp-"
# Temporaries must not end in .parquet: readers glob for that.
TEMP_SUFFIX = ".partial"


class LakeStore:
    """Write, list and delete Parquet files by path relative to the lake root."""

    def __init__(self, uri: str) -> None:
        self.uri = uri.rstrip("/")
        if "://" in uri and not uri.startswith("file://"):
            self._fs, root = pafs.FileSystem.from_uri(uri)
            self._root = root.rstrip("/")
            self.local_root: Path | None = None
        else:
            self.local_root = Path(uri.removeprefix("file://")).resolve()
            self._fs = pafs.LocalFileSystem()
            self._root = str(self.local_root)

    def path(self, relative: str) -> str:
        """The full location of a file, as DuckDB or pyarrow would open it."""
        if self.local_root is not None:
            return str(self.local_root / relative)
        return f"{self.uri}/{relative}"

    def write_parquet(self, relative: str, table: pa.Table) -> None:
        """Write `table` under `relative`, durably, replacing any file of that name."""
        if self.local_root is None:
            # Object stores publish a PUT atomically once the upload completes.
            pq.write_table(table, f"{self._root}/{relative}", filesystem=self._fs,
                           **PARQUET_OPTIONS)
            return
        write_atomically(self.local_root / relative,
                         lambda handle: pq.write_table(table, handle, **PARQUET_OPTIONS),
                         temp_prefix=TEMP_PREFIX, temp_suffix=TEMP_SUFFIX)

    def write_bytes(self, relative: str, data: bytes) -> None:
        """Durably write a small file (archiver bookkeeping), replacing any previous one."""
        if self.local_root is None:
            with self._fs.open_output_stream(f"{self._root}/{relative}") as stream:
                stream.write(data)
            return
        write_atomically(self.local_root / relative, lambda handle: handle.write(data),
                         temp_prefix=TEMP_PREFIX, temp_suffix=TEMP_SUFFIX)

    def read_bytes(self, relative: str) -> bytes | None:
        """The file's contents, or None when it does not exist."""
        try:
            with self._fs.open_input_stream(f"{self._root}/{relative}") as stream:
                return stream.read()
        except FileNotFoundError:
            return None

    def list(self, folder: str, suffix: str = ".parquet") -> list[str]:
        """Relative paths of the files under `folder` (recursively) ending in `suffix`."""
        selector = pafs.FileSelector(f"{self._root}/{folder}", recursive=True,
                                     allow_not_found=True)
        prefix = f"{self._root}/"
        return sorted(
            info.path.removeprefix(prefix)
            for info in self._fs.get_file_info(selector)
            if info.type == pafs.FileType.File and info.path.endswith(suffix)
        )

    def delete(self, relative: str) -> None:
        self._fs.delete_file(f"{self._root}/{relative}")

    def remove_temporaries(self, folder: str) -> int:
        """Delete files a crash left half-written; returns how many."""
        stale = [p for p in self.list(folder, suffix="")
                 if p.rsplit("/", 1)[-1].startswith(TEMP_PREFIX)]
        for relative in stale:
            self.delete(relative)
        return len(stale)

