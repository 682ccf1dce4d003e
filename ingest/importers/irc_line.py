"""One raw IRC line: the logger's time prefix, IRCv3 tags, source, command and parameters."""

import re
from functools import lru_cache
from typing import NamedTuple

from ingest.importers.common import iso_to_ms

# Commands a log may hold without a source prefix (what the client itself sent, or PING).
_BARE_COMMANDS = frozenset(
    {"PING", "PONG", "CAP", "PASS", "NICK", "USER", "JOIN", "PART", "PRIVMSG", "QUIT",
     "NOTICE", "RECONNECT", "ERROR"}
)
# Time prefixes loggers put before a line: "2019-04-30_09:01:35 ;;; ", "[2019-04-30 09:01:35] ",
# "2019-04-30T09:01:35.123Z ". The bracket, if opened, must close.
_TIME_PREFIX = re.compile(
    r"(\[)?(\d{4}-\d\d-\d\d)[T _](\d\d:\d\d:\d\d(?:[.,]\d+)?)(Z|[+-]\d\d:?\d\d)?(?(1)\])"
    r"(?: ;;;)? "
)
_TAG_ESCAPES = {":": ";", "s": " ", "\\": "\\", "r": "\r", "n": "\n", "": ""}
_TAG_ESCAPE = re.compile(r"\\(.?)")


class IrcLine(NamedTuple):
    tags: str | None  # the raw tag string without '@'; parse_tags() when needed
    source: str | None  # "nick!user@host" or a server name, without ':'
    command: str
    params: list[str]  # middle parameters
    trailing: str | None  # the parameter after " :", if any


def split_time_prefix(line: str) -> tuple[str | None, str]:
    """(the time prefix as ISO text or None, the rest of the line)."""
    if not line or not (line[0].isdigit() or line[0] == "["):
        return None, line
    match = _TIME_PREFIX.match(line)
    if match is None:
        return None, line
    _, day, clock, zone = match.groups()
    return f"{day}T{clock.replace(',', '.')}{zone or ''}", line[match.end():]


@lru_cache(maxsize=4096)
def prefix_to_ms(iso_text: str) -> int:
    """Epoch ms of a time prefix; one without a zone is UTC (loggers rarely say)."""
    return iso_to_ms(iso_text)


def parse_irc(line: str) -> IrcLine | None:
    """The parts of an IRC line, or None when the line is not IRC at all."""
    tags = source = trailing = None
    if line.startswith("@"):
        space = line.find(" ")
        if space < 0:
            return None
        tags = line[1:space]
        line = line[space + 1:].lstrip(" ")
    if line.startswith(":"):
        space = line.find(" ")
        if space < 2:
            return None
        source = line[1:space]
        line = line[space + 1:].lstrip(" ")
    colon = line.find(" :")
    if colon >= 0:
        trailing = line[colon + 2:]
        line = line[:colon]
    parts = line.split(" ")
    command = parts[0]
    if not _is_command(command):
        return None
    if source is None and tags is None and command not in _BARE_COMMANDS:
        return None
    return IrcLine(tags, source, command, [part for part in parts[1:] if part], trailing)


def looks_like_irc(line: str) -> bool:
    return parse_irc(line) is not None


def _is_command(command: str) -> bool:
    if command.isascii() and command.isalpha():
        return command.isupper()
    return len(command) == 3 and command.isascii() and command.isdigit()


def parse_tags(raw: str) -> dict[str, str]:
    """IRCv3 tags as a dict with escapes undone; a tag without '=' has the value ''."""
    tags = {}
    for item in raw.split(";"):
        key, _, value = item.partition("=")
        if "\\" in value:
            value = _TAG_ESCAPE.sub(lambda m: _TAG_ESCAPES.get(m.group(1), m.group(1)), value)
        tags[key] = value
    return tags


def parse_badges(raw: str) -> list[dict[str, str | None]]:
    """"subscriber/36,bits/100" as contract badges; a badge without '/' has no version."""
    badges = []
    for item in raw.split(","):
        set_id, slash, version = item.partition("/")
        if set_id:
            badges.append({"set_id": set_id, "version": version if slash else None})
    return badges
