"""A parsed chat file in the lake's shape, as import workers hand it to the committing process.

Only pyarrow here: import workers load this module and never need delta-rs or the settings.
"""

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa


@dataclass
class ImportedFile:
    """A parsed chat file, ready for the lake: its rows in the tables' own shape."""

    path: Path
    digest: str  # 15 hex digits of the content's SHA-256: also a transaction version
    messages: pa.Table  # CHAT_MESSAGES.read_schema, import_digest filled in
    dead_letters: pa.Table  # DEAD_LETTERS.read_schema, import_digest filled in

    @property
    def content_app(self) -> str:
        return content_app(self.digest)

    @property
    def path_app(self) -> str:
        return "import-path/" + hashlib.sha256(str(self.path.resolve()).encode()).hexdigest()[:16]


def content_app(digest: str) -> str:
    return f"import/{digest}"
