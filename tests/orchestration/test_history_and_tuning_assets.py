"""The backfill and tuning assets: a partition materialized twice leaves one copy of its chat;
the folder sensor adds partitions and deterministic run keys; the tuning asset records a run."""

import shutil

import dagster as dg
import psycopg
import pytest

from orchestration.defs.history.assets import imported_chat
from orchestration.defs.history.partitions import chat_files_partitions
from orchestration.defs.history.sensors import history_requests
from orchestration.defs.resources import LakeResource, PostgresResource
from orchestration.defs.tuning.assets import detector_tuning
from warehouse.catalog import connect

DOTA_VIDEOS = ("324215198", "341205295")  # two train videos


@pytest.fixture
def history(shared_data, tmp_path, monkeypatch):
    folder = tmp_path / "history"
    folder.mkdir()
    for video in DOTA_VIDEOS:
        shutil.copy(shared_data / "highlights" / "dota2" / f"{video}.chat.json.gz", folder)
    (folder / "_options.json").write_text(
        '{"channel": "dota2", "start": "2020-01-01T00:00:00Z"}')
    monkeypatch.setenv("CHATLAKE_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("CHATLAKE_LAKE_URI", str(tmp_path / "lake"))
    return folder


def lake_resources(tmp_path) -> dict:
    return {"lake": LakeResource(uri=str(tmp_path / "lake"))}


def _counts(lake: str) -> dict[str, int]:
    return dict(connect(lake).execute(
        "select vod_id, count(*) from chat_messages group by vod_id").fetchall())


def test_sensor_requests_each_file_once(history):
    new, requests = history_requests(history, set())
    assert len(new) == 2 and len(requests) == 2
    again_new, again = history_requests(history, set(new))
    assert again_new == [] and [r.run_key for r in again] == [r.run_key for r in requests]


def test_import_partitions_twice_without_duplicates(history, tmp_path):
    instance = dg.DagsterInstance.ephemeral()
    keys, _ = history_requests(history, set())
    instance.add_dynamic_partitions(chat_files_partitions.name, keys)
    for _ in range(2):
        for key in keys:
            result = dg.materialize([imported_chat], instance=instance, partition_key=key,
                                    resources=lake_resources(tmp_path))
            assert result.success
    counts = _counts(str(tmp_path / "lake"))
    assert set(counts) == set(DOTA_VIDEOS)
    assert counts["324215198"] == 953  # videos.csv: 953 messages, once


@pytest.mark.integration
def test_tuning_asset_records_results(history, tmp_path, postgres_server, shared_data):
    instance = dg.DagsterInstance.ephemeral()
    keys, _ = history_requests(history, set())
    instance.add_dynamic_partitions(chat_files_partitions.name, keys)
    for key in keys:
        assert dg.materialize([imported_chat], instance=instance, partition_key=key,
                                    resources=lake_resources(tmp_path)).success
    labels = str(shared_data / "highlights" / "dota2" / "labels.csv")
    for _ in range(2):
        result = dg.materialize(
            [detector_tuning], instance=instance,
            resources={"postgres": PostgresResource(dsn=postgres_server),
                       **lake_resources(tmp_path)},
            run_config={"ops": {"postgres__tuning_results": {"config": {"labels": labels}}}})
        assert result.success
    with psycopg.connect(postgres_server) as conn:
        runs = conn.execute("select run_id, parameter_sets from tuning_runs").fetchall()
        chosen = conn.execute("select count(*) from tuning_results where is_chosen").fetchone()
        rows = conn.execute("select count(*) from tuning_results").fetchone()
        # The backtest plot's data: per run and video the rate, labels and the chosen set's
        # detections, which add up to the chosen row's detections on both splits.
        videos = conn.execute(
            "select v.run_id, count(*), bool_and(cardinality(v.window_end_s) ="
            " cardinality(v.messages) and cardinality(v.messages) > 100),"
            " bool_and(jsonb_array_length(v.labels) > 0), sum(cardinality(v.detections)),"
            " min(r.train_detections + coalesce(r.test_detections, 0))"
            " from tuning_videos v join tuning_results r on r.run_id = v.run_id and r.is_chosen"
            " group by v.run_id").fetchall()
    assert len(runs) == 2 and all(n > 1000 for _, n in runs)
    assert chosen == (2,) and rows[0] >= 2 * 200
    assert {run for run, *_ in videos} == {run for run, _ in runs}
    for _, count, shaped, labelled, detections, chosen_detections in videos:
        assert count >= 2 and shaped and labelled
        assert detections == chosen_detections
