"""The shared fixtures give a working broker and a migrated database."""

import psycopg
import pytest
from chatlake_contracts.topics import TOPICS

from chatlake.embedded import kafka

pytestmark = pytest.mark.integration


def test_kafka_broker_answers_with_the_topics(kafka_broker):
    # Other suites share this session broker and may have added topics of their own.
    assert TOPICS.items() <= kafka.list_topics(kafka_broker).items()
    assert kafka.create_topics(kafka_broker, TOPICS) == []  # already there: nothing to do


def test_postgres_server_is_migrated(postgres_server):
    with psycopg.connect(postgres_server, connect_timeout=5) as conn:
        tables = {row[0] for row in conn.execute("select tablename from pg_tables")}
    assert {"streamers", "clips", "schema_migrations"} <= tables
