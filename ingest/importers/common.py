"""What every importer shares: the error, options and bad-line types, and small conversions."""

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import orjson

# A BadLine keeps enough of the input to find and fix it, not a whole runaway line.
MAX_RAW_CHARS = 2000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_MS = timedelta(milliseconds=1)
# Badge sets that make a chatter a subscriber or a moderator of the channel.
SUBSCRIBER_BADGES = frozenset({"subscriber", "founder"})
MOD_BADGES = frozenset({"moderator", "broadcaster"})


class ImportFileError(ValueError):
    """A whole file cannot be imported. The message is one line starting with the file name."""

    def __init__(self, file_name: str, problem: str) -> None:
        one_line = " ".join(f"{file_name}: {problem}".split())
        super().__init__(one_line)


@dataclass(frozen=True)
class ImportOptions:
    """What the user tells the importer about a file that the file does not say itself."""

    channel: str | None = None  # login given with --channel, used when the file lacks the channel
    channel_id: str | None = None  # optional --channel-id
    start: datetime | None = None  # --start (UTC); used only when the file lacks wall-clock times


@dataclass(frozen=True)
class BadLine:
    """One line or item of an otherwise good file that could not become a record."""

    location: str  # "file.irc:123" (1-based line) or "file.json:comments[17]"
    error: str
    raw: str  # the offending input, cut to MAX_RAW_CHARS


def bad_line(location: str, error: str, raw: str) -> BadLine:
    return BadLine(location, error, raw[:MAX_RAW_CHARS])


def stable_message_id(file_name: str, position: int | str, content: str) -> str:
    """An id for a message whose source has none, the same on every import of the same file:
    a hash of the file name, the line number (or item index) and the line."""
    key = f"{file_name}\n{position}\n{content}".encode("utf-8", "surrogatepass")
    return hashlib.blake2b(key, digest_size=16).hexdigest()


def datetime_to_ms(value: datetime) -> int:
    """Epoch milliseconds of `value`; a naive datetime is taken as UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return (value - _EPOCH) // _ONE_MS


def iso_to_ms(value: str) -> int:
    """Epoch milliseconds of an ISO-8601 time ('Z', offsets and nanoseconds accepted).

    Raises ValueError for anything else. A time without a zone is taken as UTC.
    """
    return datetime_to_ms(datetime.fromisoformat(value))


def channel_fallback(options: ImportOptions, login: str | None) -> tuple[str | None, str | None]:
    """(broadcaster_id, broadcaster_login) when the file names at most the channel's login.

    With only a login known, broadcaster_id is --channel-id when given for that login, else the
    login itself: records stay keyed by channel, and a later import with --channel-id can fix it.
    """
    login = login or options.channel
    if login is None:
        return options.channel_id, None
    if options.channel_id and (options.channel is None or options.channel == login):
        return options.channel_id, login
    return login, login


def badge_flags(badges: list[dict[str, str | None]]) -> tuple[bool, bool]:
    """(is_subscriber, is_mod) from a record's badges."""
    is_subscriber = is_mod = False
    for badge in badges:
        set_id = badge["set_id"]
        if set_id in SUBSCRIBER_BADGES:
            is_subscriber = True
        elif set_id in MOD_BADGES:
            is_mod = True
    return is_subscriber, is_mod


def inclusive_ranges_to_emotes(
    ranges: list[tuple[str, int, int]], text_length: int
) -> list[dict]:
    """Twitch's inclusive code-point ranges as contract emotes (exclusive end), sorted.

    A range that does not fit the text or overlaps an earlier one is dropped: the message is
    still worth keeping, a wrong position is not.
    """
    emotes = []
    covered_to = 0
    for emote_id, begin, last in sorted(ranges, key=lambda r: (r[1], r[2])):
        end = last + 1
        if not emote_id or begin < covered_to or not 0 <= begin < end <= text_length:
            continue
        emotes.append({"emote_id": emote_id, "begin": begin, "end": end})
        covered_to = end
    return emotes


def parse_range_list(emote_id: str, locations: str, into: list[tuple[str, int, int]]) -> None:
    """Append the ranges of one emote, "0-4,6-10", to `into`; malformed ranges are skipped."""
    for location in locations.split(","):
        first, dash, last = location.partition("-")
        if dash and first.isdecimal() and last.isdecimal():
            into.append((emote_id, int(first), int(last)))


def id_text(value) -> str | None:
    """Ids arrive as strings or numbers depending on the tool and its version."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise ValueError(f"expected a string or integer id, got {value!r}")


def dump_json(item) -> str:
    """A JSON item as text for a BadLine."""
    try:
        return orjson.dumps(item).decode()
    except TypeError:
        return repr(item)
