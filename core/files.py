"""Writing a file so that readers see the old one or the complete new one, never a part of it,
and so that it survives a crash once the write returns."""

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def write_atomically(path: Path, write: Callable[[BinaryIO], None], *, mode: int = 0o644,
                     temp_prefix: str = ".tmp-", temp_suffix: str = ".partial") -> None:
    """Call `write(handle)` on a temporary file beside `path`, fsync it, give it `mode` and
    rename it over `path`, then fsync the folder so the rename itself is durable.

    The temporary file is created 0600 (mkstemp), so a secret is never readable by others,
    even for a moment; its name starts with `temp_prefix` so crash leftovers can be found."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f"{temp_prefix}{path.name}.", suffix=temp_suffix,
                                    dir=path.parent)
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        temporary.chmod(mode)
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
