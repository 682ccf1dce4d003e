"""The sentiment marts built over real chat (the nymn IRC log): every live message is scored
by the same scorer as `chatlake sentiment` (checked message by message from Python), and the
minute, hour and stream figures add up to the messages."""

import duckdb
import polars as pl
import pytest

from ingest.chat_import import import_to_lake
from ingest.importers import ImportOptions
from tests.dbt.support import dbt_build, failures, live_chat_rows
from warehouse.lake_store import LakeStore
from warehouse.sentiment.scorer import score_messages

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SENTIMENT_MODELS = ("int_chat_message_sentiments_scored", "channel_sentiment", "stream_sentiment")


@pytest.fixture(scope="module")
def built(shared_data, tmp_path_factory):
    nymn = shared_data / "irc" / "nymn_recent.irc"
    if not nymn.is_file():
        pytest.skip(f"{nymn} is absent from the shared data; these tests need real chat")
    work = tmp_path_factory.mktemp("sentiment_marts")
    lake = work / "lake"
    import_to_lake(nymn, ImportOptions(), LakeStore(str(lake)))
    run = dbt_build(lake, work / "warehouse.duckdb", work)
    assert run.returncode == 0, failures(run) or run.output
    con = duckdb.connect(str(work / "warehouse.duckdb"), read_only=True)
    yield con, live_chat_rows(lake), run
    con.close()


def test_sentiment_models_and_their_tests_pass(built):
    _, _, run = built
    built_models = {uid.split(".")[-1] for uid in run.results if uid.startswith("model.")}
    assert set(SENTIMENT_MODELS) <= built_models
    assert failures(run) == []


def test_every_message_scored_as_the_python_scorer_scores_it(built):
    con, rows, _ = built
    in_marts = pl.from_arrow(con.execute(
        "select m.message_id, m.message_text, s.sentiment_score, s.sentiment_label "
        "from intermediate.int_chat_messages_deduplicated m "
        "join intermediate.int_chat_message_sentiments_scored s using (message_id) "
        "order by m.message_id").arrow())
    assert in_marts.height == len({r["message_id"] for r in rows}) > 700
    expected = score_messages(in_marts["message_text"])
    assert in_marts["sentiment_label"].to_list() == expected["sentiment_label"].to_list()
    assert in_marts["sentiment_score"].to_list() == pytest.approx(
        expected["sentiment_score"].to_list())
    # Real chat is not all one feeling.
    assert set(in_marts["sentiment_label"].to_list()) == {-1, 0, 1}


def test_minutes_hours_and_streams_add_up_to_the_messages(built):
    con, rows, _ = built
    live = len({r["message_id"] for r in rows})
    by_size = dict(con.execute(
        "select bucket_size, sum(messages)::int from marts.channel_sentiment group by 1"
    ).fetchall())
    assert by_size == {"1m": live, "1h": live}
    labelled = con.execute(
        "select sum(positive_messages + neutral_messages + negative_messages)::int "
        "from marts.channel_sentiment where bucket_size = '1m'").fetchone()[0]
    assert labelled == live
    # The hour's positives are its minutes' positives.
    assert con.execute(
        "select count(*) from marts.channel_sentiment h where bucket_size = '1h' and "
        "positive_messages <> (select sum(positive_messages) from marts.channel_sentiment m "
        "where m.bucket_size = '1m' and m.broadcaster_id = h.broadcaster_id and "
        "date_trunc('hour', m.bucket_start_at) = h.bucket_start_at)").fetchone()[0] == 0
    streams = con.execute("select sum(messages)::int from marts.stream_sentiment").fetchone()[0]
    assert streams == live
