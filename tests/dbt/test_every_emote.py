"""Every emote kind in the marts, checked against a direct Python count: 7TV emotes as words of
the nymn IRC log against nymn's 7TV set (stored through PostgreSQL into the lake, the way
`chatlake api emote-set` does), and Twitch global emotes by name in a Dota 2 file, whose
messages carry no emote positions."""

import csv
from collections import Counter
from datetime import UTC, datetime

import duckdb
import psycopg
import pytest

from api.emote_sets import read_7tv, save_snapshot
from ingest.chat_import import import_to_lake
from ingest.importers import ImportOptions
from orchestration.defs.marts.project import DBT_PROJECT_DIR
from tests.dbt.support import dbt_build, failures, live_chat_rows
from warehouse.lake_store import LakeStore

pytestmark = [pytest.mark.integration, pytest.mark.slow]

NYMN_ID = "62300805"
# The nymn chat runs 2024-01-06 16:19:44-16:27:15 UTC; the 7TV snapshot is of that time (every
# emote in it was added before, so the whole set is valid for the whole chat).
NYMN_SNAPSHOT_AT = datetime(2024, 1, 6, 16, 19, tzinfo=UTC)
# A Dota 2 live recording with IRC logins for every chatter (some of the VOD files have chatters
# without a login, which the chatter id does not cover yet).
DOTA2_FILE = "sing_sing-2017-08-01-10h09m35s.chat.json.gz"
DOTA2_CHANNEL = "sing_sing"
BUCKET_SIZES = ("1s", "5s", "30s", "1m", "5m", "1h")


@pytest.fixture(scope="module")
def built(shared_data, postgres_server, tmp_path_factory):
    """(warehouse connection, live chat rows by channel, the 7TV snapshot) after importing the
    nymn log and the Dota 2 file, saving nymn's 7TV set and `dbt build`."""
    nymn = shared_data / "irc" / "nymn_recent.irc"
    seventv = shared_data / "irc" / "7tv_nymn.json"
    dota2 = shared_data / "highlights" / "dota2" / DOTA2_FILE
    for path in (nymn, seventv, dota2):
        if not path.is_file():
            pytest.skip(f"{path} is absent from the shared data; these tests need real chat")
    work = tmp_path_factory.mktemp("every_emote")
    lake = work / "lake"
    store = LakeStore(str(lake))
    import_to_lake(nymn, ImportOptions(), store)
    import_to_lake(dota2, ImportOptions(channel=DOTA2_CHANNEL), store)
    snapshot = read_7tv(seventv)
    with psycopg.connect(postgres_server) as conn:
        conn.execute("delete from channel_emotes where broadcaster_id = %s", [NYMN_ID])
        save_snapshot(conn, store, NYMN_ID, snapshot, NYMN_SNAPSHOT_AT)
    run = dbt_build(lake, work / "warehouse.duckdb", work)
    assert run.returncode == 0, failures(run) or run.output
    rows = live_chat_rows(lake)
    by_channel = {channel: [r for r in rows if r["broadcaster_id"] == channel]
                  for channel in (NYMN_ID, DOTA2_CHANNEL)}
    con = duckdb.connect(str(work / "warehouse.duckdb"), read_only=True)
    yield con, by_channel, snapshot
    con.close()


def global_emote_names() -> set[str]:
    with (DBT_PROJECT_DIR / "seeds" / "twitch_global_emotes.csv").open(newline="") as seed:
        return {row["emote_name"] for row in csv.DictReader(seed)}


def twitch_begins(row: dict) -> set[int]:
    """Code-point starts of the message's Twitch emotes whose range lies inside the text."""
    text = row["text"]
    return {e["begin"] for e in row["metadata"]["emotes"] or []
            if 0 <= e["begin"] < e["end"] <= len(text)}


def words_with_positions(text: str):
    position = 0
    for word in text.split(" "):
        yield position, word
        position += len(word) + 1


def python_7tv_counts(rows: list[dict], names_to_ids: dict[str, str]) -> Counter:
    """7TV uses per emote id: a word naming a set emote, unless it sits at a Twitch emote's
    position, or is a global emote's name in a message without positions."""
    globals_ = global_emote_names()
    counts = Counter()
    for row in rows:
        begins, has_positions = twitch_begins(row), bool(row["metadata"]["emotes"])
        for position, word in words_with_positions(row["text"]):
            if word not in names_to_ids or position in begins:
                continue
            if not has_positions and word in globals_:
                continue
            counts[names_to_ids[word]] += 1
    return counts


def usage_by_emote(con, channel: str, provider: str, bucket_size: str) -> Counter:
    return Counter(dict(con.execute(
        "select emote_id, sum(uses)::int from marts.emote_usage where broadcaster_id = ?"
        " and emote_provider = ? and bucket_size = ? group by 1",
        [channel, provider, bucket_size]).fetchall()))


def test_7tv_counts_on_nymn_equal_a_python_count_over_the_set(built):
    con, by_channel, snapshot = built
    names_to_ids = {emote.name: emote.emote_id for emote in snapshot.emotes}
    expected = python_7tv_counts(by_channel[NYMN_ID], names_to_ids)
    assert sum(expected.values()) > 4_000 and len(expected) > 50
    for bucket_size in BUCKET_SIZES:
        assert usage_by_emote(con, NYMN_ID, "7tv", bucket_size) == expected, bucket_size


def test_a_word_at_a_twitch_position_counts_once_as_twitch(built):
    con, by_channel, snapshot = built
    set_names = {emote.name for emote in snapshot.emotes}
    # forsenParty is both a Twitch emote (at positions) and in the 7TV set (as a word).
    at_positions = Counter()
    for row in by_channel[NYMN_ID]:
        begins = twitch_begins(row)
        for position, word in words_with_positions(row["text"]):
            if word in set_names and position in begins:
                at_positions[word] += 1
    assert at_positions["forsenParty"] > 100
    twitch_uses = dict(con.execute(
        "select emote_name, sum(uses)::int from marts.emote_usage where broadcaster_id = ?"
        " and emote_provider = 'twitch' and bucket_size = '1h' group by 1", [NYMN_ID]).fetchall())
    assert twitch_uses["forsenParty"] == at_positions["forsenParty"]
    # No word is a use twice: every use id is unique across kinds.
    assert con.execute("select count(*) - count(distinct emote_use_id)"
                       " from intermediate.int_emote_uses_unioned").fetchone() == (0,)


def test_global_names_on_a_dota2_file_equal_a_python_count(built):
    con, by_channel, _ = built
    rows = by_channel[DOTA2_CHANNEL]
    assert rows and not any(row["metadata"]["emotes"] for row in rows)  # no positions at all
    globals_ = global_emote_names()
    expected = Counter(word for row in rows for word in row["text"].split(" ")
                       if word in globals_)
    assert sum(expected.values()) > 3_000 and expected["4Head"] > 500
    assert "kappa" not in expected  # names are case-sensitive, as Twitch matches them
    for bucket_size in BUCKET_SIZES:
        assert usage_by_emote(con, DOTA2_CHANNEL, "twitch_global", bucket_size) == expected
    # The channel has no emote set and its messages no positions: nothing else counts.
    providers = {p for (p,) in con.execute(
        "select distinct emote_provider from marts.emote_usage where broadcaster_id = ?",
        [DOTA2_CHANNEL]).fetchall()}
    assert providers == {"twitch_global"}


def python_top_emotes(rows: list[dict], snapshot) -> list[tuple]:
    """(rank, provider, emote id, uses) of the ten most used Twitch and 7TV emotes in `rows`,
    ranked like the marts: uses, then users, then name and provider."""
    names_to_ids = {emote.name: emote.emote_id for emote in snapshot.emotes}
    ids_to_names = {emote_id: name for name, emote_id in names_to_ids.items()}
    uses, users = Counter(), {}
    for row in rows:
        text = row["text"]
        for e in row["metadata"]["emotes"] or []:
            if 0 <= e["begin"] < e["end"] <= len(text):
                key = ("twitch", e["emote_id"], text[e["begin"]:e["end"]])
                uses[key] += 1
                users.setdefault(key, set()).add(row["chatter_id"])
        for emote_id, n in python_7tv_counts([row], names_to_ids).items():
            key = ("7tv", emote_id, ids_to_names[emote_id])
            uses[key] += n
            users.setdefault(key, set()).add(row["chatter_id"])
    ranked = sorted(uses, key=lambda k: (-uses[k], -len(users[k]), k[2], k[0], k[1]))[:10]
    return [(rank, provider, emote_id, uses[(provider, emote_id, name)])
            for rank, (provider, emote_id, name) in enumerate(ranked, start=1)]


def test_top_emotes_hourly_rank_every_kind_like_python(built):
    con, by_channel, snapshot = built
    expected = python_top_emotes(by_channel[NYMN_ID], snapshot)
    got = con.execute(
        "select emote_rank, emote_provider, emote_id, uses::int from marts.top_emotes_hourly"
        " where broadcaster_id = ? order by emote_rank", [NYMN_ID]).fetchall()
    assert got == expected  # nymn's 7.5 minutes sit inside one UTC hour
    assert {provider for _, provider, _, _ in got} == {"twitch", "7tv"}


def test_top_emotes_per_stream_rank_every_kind_like_python(built):
    con, by_channel, snapshot = built
    (streams,) = con.execute("select count(*) from marts.streams where broadcaster_id = ?",
                             [NYMN_ID]).fetchone()
    assert streams == 1  # 7.5 minutes of chat without a pause: one gap-rule stream
    got = con.execute(
        "select emote_rank, emote_provider, emote_id, uses::int from marts.stream_top_emotes"
        " where broadcaster_id = ? order by emote_rank", [NYMN_ID]).fetchall()
    assert got == python_top_emotes(by_channel[NYMN_ID], snapshot)
    # Every stream's ranks run 1..n with no gap, and its shares add up to at most one.
    assert con.execute(
        "select count(*) from (select stream_id, max(emote_rank) = count(*) as dense,"
        " sum(share_of_emote_uses) <= 1.0001 as bounded from marts.stream_top_emotes"
        " group by stream_id) where not (dense and bounded)").fetchone() == (0,)


def test_rebuilding_the_day_gives_the_same_emote_counts(shared_data, postgres_server, tmp_path):
    """Incremental by day: the day rebuilt alone (its rows deleted, then inserted again from
    the lake) holds what the full build held, for every kind."""
    nymn = shared_data / "irc" / "nymn_recent.irc"
    seventv = shared_data / "irc" / "7tv_nymn.json"
    if not (nymn.is_file() and seventv.is_file()):
        pytest.skip("the nymn chat or its 7TV set is absent from the shared data")
    store = LakeStore(str(tmp_path / "lake"))
    import_to_lake(nymn, ImportOptions(), store)
    with psycopg.connect(postgres_server) as conn:
        conn.execute("delete from channel_emotes where broadcaster_id = %s", [NYMN_ID])
        save_snapshot(conn, store, NYMN_ID, read_7tv(seventv), NYMN_SNAPSHOT_AT)
    warehouse = tmp_path / "warehouse.duckdb"
    sql = ("select emote_provider, bucket_size, count(*), sum(uses)::int, sum(users)::int"
           " from marts.emote_usage group by all order by all")
    top = "select * from marts.top_emotes_hourly order by all"
    counts = []
    for days in (None, ["2024-01-06"]):
        more = {} if days is None else {"days": days}
        run = dbt_build(tmp_path / "lake", warehouse, tmp_path, **more)
        assert run.returncode == 0, failures(run) or run.output
        with duckdb.connect(str(warehouse), read_only=True) as con:
            counts.append((con.execute(sql).fetchall(), con.execute(top).fetchall()))
    assert {provider for provider, *_ in counts[0][0]} == {"twitch", "7tv"}
    assert counts[1] == counts[0]
