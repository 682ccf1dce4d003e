"""Export encoding: batches of bounded size from DuckDB, every format read back whole."""

import csv
import io
import json

import duckdb
import pyarrow.parquet as pq
import pytest

from warehouse.exports import BATCH_ROWS, ExportError, Filters, Plan, encode, plan, record_batches

ROWS = 200_000
SQL = ("select range as n, 'row ' || range as label, [range, range + 1] as pair,"
       " timestamptz '2024-01-01 00:00:00+00' + to_seconds(range) as at from range(200000)")


def chunks(fmt):
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    reader = record_batches(con, plan(con, SQL, fmt, Filters()))
    return list(encode(reader, fmt))


def test_rows_leave_duckdb_in_bounded_batches_and_are_encoded_one_at_a_time():
    parts = chunks("jsonl")
    counts = [rows for _, rows in parts]
    assert sum(counts) == ROWS
    assert len(counts) >= ROWS // BATCH_ROWS
    assert max(counts) <= BATCH_ROWS
    assert all(len(chunk) < 20_000_000 for chunk, _ in parts)


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "json", "parquet"])
def test_each_format_reads_back_whole(fmt, tmp_path):
    body = b"".join(chunk for chunk, _ in chunks(fmt))
    if fmt == "parquet":
        (tmp_path / "x.parquet").write_bytes(body)
        table = pq.read_table(tmp_path / "x.parquet")
        assert table.num_rows == ROWS
        assert table.column("pair")[7].as_py() == [7, 8]
        return
    if fmt == "csv":
        con = duckdb.connect()
        reader = record_batches(con, Plan("select range as n, 'a,\"b\"\nc' as t from range(3)",
                                          {}, []))
        rows = list(csv.DictReader(io.StringIO(b"".join(c for c, _ in encode(reader, "csv"))
                                               .decode())))
        assert rows[2] == {"n": "2", "t": 'a,"b"\nc'}
        all_rows = list(csv.DictReader(io.StringIO(body.decode())))
        assert len(all_rows) == ROWS
        assert json.loads(all_rows[7]["pair"]) == [7, 8]  # lists as JSON text
        return
    rows = json.loads(body) if fmt == "json" else [json.loads(line)
                                                    for line in body.splitlines()]
    assert len(rows) == ROWS
    assert rows[61] == {"n": 61, "label": "row 61", "pair": [61, 62],
                        "at": "2024-01-01T00:01:01+00:00"}


def test_empty_csv_still_has_its_header_and_json_is_an_empty_array():
    con = duckdb.connect()
    empty = "select 1 as a, 'x' as b where false"
    csv_body = b"".join(c for c, _ in encode(record_batches(con, Plan(empty, {}, [])), "csv"))
    assert csv_body.decode().splitlines() == ['"a","b"']
    json_body = b"".join(c for c, _ in encode(record_batches(con, Plan(empty, {}, [])), "json"))
    assert json.loads(json_body) == []


def test_a_failing_query_is_an_export_error():
    with pytest.raises(ExportError, match="the export fails"):
        record_batches(duckdb.connect(), Plan("select * from nowhere", {}, []))
