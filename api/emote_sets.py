"""Third-party emote sets of a channel: read a 7TV snapshot, keep it in `channel_emotes`.

A snapshot says which emotes were in the set at one moment. Storing one closes the rows of emotes
that left the set since the last snapshot (valid_to = snapshot time) and opens rows for emotes
that joined (valid_from = when the provider says it was added, else the snapshot time). Storing
the same snapshot twice changes nothing. `save_snapshot` also copies the table into the lake,
where the dbt marts read it (warehouse/channel_emotes.py).
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import psycopg

from warehouse.channel_emotes import copy_to_lake
from warehouse.lake_store import LakeStore

PROVIDERS = ("7tv", "bttv", "ffz")


@dataclass(frozen=True)
class SetEmote:
    emote_id: str
    name: str
    added_at: datetime | None


@dataclass(frozen=True)
class EmoteSetSnapshot:
    provider: str
    set_id: str | None
    broadcaster_id: str | None  # the Twitch channel the set belongs to, when the file says
    emotes: tuple[SetEmote, ...]


def read_7tv(path: Path) -> EmoteSetSnapshot:
    """A 7TV user connection object (`emote_set` inside) or a bare emote set object."""
    try:
        document: Any = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as error:
        raise ValueError(f"{path.name}: not JSON ({error})") from error
    if not isinstance(document, dict):
        raise ValueError(f"{path.name}: expected a 7TV object, found {type(document).__name__}")
    emote_set = document.get("emote_set", document)
    raw_emotes = emote_set.get("emotes") if isinstance(emote_set, dict) else None
    if not isinstance(raw_emotes, list):
        raise ValueError(f"{path.name}: no 'emotes' list (is this a 7TV emote set?)")
    emotes = []
    for item in raw_emotes:
        if not isinstance(item, dict) or not item.get("id") or not item.get("name"):
            raise ValueError(f"{path.name}: an emote without 'id' and 'name': {str(item)[:80]}")
        added = item.get("timestamp")
        added_at = datetime.fromtimestamp(added / 1000, UTC) if isinstance(added, int) else None
        emotes.append(SetEmote(str(item["id"]), str(item["name"]), added_at))
    channel = document.get("id") if document.get("platform") == "TWITCH" else None
    return EmoteSetSnapshot("7tv", emote_set.get("id"), channel, tuple(emotes))


def store_snapshot(
    conn: psycopg.Connection, broadcaster_id: str, snapshot: EmoteSetSnapshot, as_of: datetime
) -> tuple[int, int]:
    """Make `channel_emotes` agree with `snapshot` from `as_of` on; returns (opened, closed)."""
    open_rows = {
        emote_id: valid_from
        for emote_id, valid_from in conn.execute(
            "select emote_id, valid_from from channel_emotes"
            " where broadcaster_id = %s and provider = %s and valid_to is null",
            [broadcaster_id, snapshot.provider],
        )
    }
    current = {emote.emote_id: emote for emote in snapshot.emotes}
    gone = [
        emote_id
        for emote_id, valid_from in open_rows.items()
        if emote_id not in current and valid_from < as_of
    ]
    with conn.cursor() as cursor:
        cursor.executemany(
            "update channel_emotes set valid_to = %s where broadcaster_id = %s"
            " and provider = %s and emote_id = %s and valid_to is null",
            [(as_of, broadcaster_id, snapshot.provider, emote_id) for emote_id in gone],
        )
        new = [emote for emote_id, emote in current.items() if emote_id not in open_rows]
        cursor.executemany(
            "insert into channel_emotes"
            " (broadcaster_id, provider, emote_id, emote_name, set_id, valid_from)"
            " values (%s, %s, %s, %s, %s, %s) on conflict do nothing",
            [
                (broadcaster_id, snapshot.provider, emote.emote_id, emote.name,
                 snapshot.set_id, min(emote.added_at or as_of, as_of))
                for emote in new
            ],
        )
    return len(new), len(gone)


def save_snapshot(
    conn: psycopg.Connection, lake: LakeStore, broadcaster_id: str, snapshot: EmoteSetSnapshot,
    as_of: datetime,
) -> tuple[int, int]:
    """`store_snapshot`, committed, then the lake's copy of `channel_emotes` replaced with the
    committed table: the lake never holds rows that PostgreSQL could still roll back."""
    counts = store_snapshot(conn, broadcaster_id, snapshot, as_of)
    conn.commit()
    copy_to_lake(conn, lake)
    return counts
