"""Reading a chat file's bytes: gzip by content, not by name, and text split into lines."""

import gc
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import orjson

from ingest.importers.common import ImportFileError

GZIP_MAGIC = b"\x1f\x8b"
UTF8_BOM = b"\xef\xbb\xbf"


def read_bytes(path: Path) -> bytes:
    """The file's content, gunzipped (repeatedly, for `.gz.gz`) when it is gzip.

    The whole file is read before any record is made, so a truncated or corrupt file fails
    before the caller has written anything.
    """
    name = path.name
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise ImportFileError(name, "is a directory, not a chat file") from None
    except OSError as error:
        raise ImportFileError(name, f"cannot be read ({error.strerror or error})") from None
    while data[:2] == GZIP_MAGIC:
        try:
            data = _gunzip(data)
        except EOFError:
            raise ImportFileError(name, "is a truncated gzip file (it ends early)") from None
        except zlib.error as error:
            raise ImportFileError(name, f"is a corrupt gzip file ({error})") from None
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM):]
    if not data.strip():
        raise ImportFileError(name, "is empty")
    if b"\x00" in data[:65536]:
        raise ImportFileError(name, "is binary, not a chat file (it holds NUL bytes)")
    return data


def _gunzip(data: bytes) -> bytes:
    """All members of a gzip stream; zlib directly is ~3x faster than gzip.decompress."""
    parts = []
    while data:
        decompressor = zlib.decompressobj(wbits=31)
        parts.append(decompressor.decompress(data))
        if not decompressor.eof:
            raise EOFError
        data = decompressor.unused_data
        if data[:2] != GZIP_MAGIC:
            if data.strip(b"\x00"):  # gzip tolerates zero padding, nothing else
                raise zlib.error("data after the end of the gzip stream")
            break
    return b"".join(parts)


def read_head(path: Path, size: int = 65536) -> bytes:
    """Up to `size` bytes from the start of the (gunzipped) content, for format detection."""
    name = path.name
    try:
        with path.open("rb") as file:
            head = file.read(size)
            if head[:2] == GZIP_MAGIC:
                file.seek(0)
                head = _gunzip_head(file, size)
    except IsADirectoryError:
        raise ImportFileError(name, "is a directory, not a chat file") from None
    except OSError as error:
        raise ImportFileError(name, f"cannot be read ({error.strerror or error})") from None
    except (EOFError, zlib.error):
        raise ImportFileError(name, "is a truncated or corrupt gzip file") from None
    if head.startswith(UTF8_BOM):
        head = head[len(UTF8_BOM):]
    return head


def _gunzip_head(file, size: int) -> bytes:
    decompressor = zlib.decompressobj(wbits=31)
    head = b""
    while len(head) < size:
        chunk = file.read(65536)
        if not chunk:
            break
        head += decompressor.decompress(chunk, size - len(head))
        if decompressor.eof or decompressor.unconsumed_tail:
            break
    if head[:2] == GZIP_MAGIC:  # gzip inside gzip
        return zlib.decompressobj(wbits=31).decompress(head, size)
    return head


def text_lines(data: bytes) -> Iterator[tuple[int, str | None, bytes | None]]:
    """(line number, text, None) per line, or (line number, None, raw bytes) for bad UTF-8.

    Lines end at LF only (a trailing CR is dropped): str.splitlines would also split on the
    Unicode separators that chat text may legitimately contain.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        yield from _lines_one_by_one(data)
        return
    for number, line in enumerate(text.split("\n"), 1):
        if line.endswith("\r"):
            line = line[:-1]
        yield number, line, None


def _lines_one_by_one(data: bytes) -> Iterator[tuple[int, str | None, bytes | None]]:
    for number, raw in enumerate(data.split(b"\n"), 1):
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        try:
            yield number, raw.decode("utf-8"), None
        except UnicodeDecodeError:
            yield number, None, raw


def describe_bytes(raw: bytes) -> str:
    """A printable form of bytes that are not UTF-8, for a BadLine."""
    return raw.decode("utf-8", "backslashreplace")


@contextmanager
def gc_paused():
    """Cyclic GC runs over and over while a large JSON tree is being built and finds nothing to
    free; pausing it makes loading several times faster."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load_json(name: str, data: bytes):
    """The parsed JSON document; ImportFileError when it is not JSON (or cut short)."""
    with gc_paused():
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError as error:
            raise ImportFileError(name, f"is not valid JSON ({error}); truncated, or not a "
                                  "chat file?") from None


@contextmanager
def frozen_json(name: str, data: bytes):
    """The parsed JSON document, kept out of the cyclic GC's sight while it is in use.

    A chat document is hundreds of thousands of containers that live until the import ends;
    without gc.freeze every later collection would walk them all again (~0.3 s per 70k
    comments). Everything frozen goes back to the GC on exit.
    """
    with gc_paused():
        document = load_json(name, data)
        gc.freeze()
    try:
        yield document
    finally:
        del document
        gc.unfreeze()
