"""`mkc db export`: activities as Marketo-style records (JSON Lines, CSV,
Parquet), people as CSV; deterministic order."""

from __future__ import annotations

import csv
import json

import duckdb
import pytest
from store_helpers import people_csv, run_mkc, write_campaigns

T1 = "2026-01-05T09:00"


@pytest.fixture
def db(tmp_path, capsys):
    path = str(tmp_path / "s.duckdb")
    mkc_file = write_campaigns(tmp_path)
    run_mkc(capsys, "db", "import", people_csv(tmp_path, 4), "--db", path)
    run_mkc(capsys, "run", mkc_file, "--campaign", "Welcome", "--db", path, "--at", T1, "--until", "2026-01-08")
    return path


def test_jsonl_activities_look_like_marketo_rest_records(tmp_path, capsys, db):
    out = tmp_path / "a.jsonl"
    code, said, _ = run_mkc(capsys, "db", "export", out, "--db", db)
    assert code == 0 and said.strip() == f"{out}: 12 activities from {db}"
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert records[2] == {
        "id": 3,
        "marketoGUID": "3",
        "leadId": 1002,
        "activityDate": "2026-01-05T09:00:00Z",
        "activityTypeId": 22,
        "campaignId": 1001,
        "primaryAttributeValueId": 20,
        "primaryAttributeValue": "Lead Score",
        "attributes": [
            {"name": "Change Value", "value": "+5"},
            {"name": "Old Value", "value": "14"},
            {"name": "New Value", "value": "19"},
            {"name": "mkc Flow", "value": "Default.Welcome"},
            {"name": "mkc Run", "value": "1"},
        ],
    }
    assert [r["activityDate"] for r in records] == sorted(r["activityDate"] for r in records)
    assert records[-1]["activityTypeId"] == 6 and records[-1]["activityDate"] == "2026-01-07T09:00:00Z"


def test_exports_are_deterministic_and_agree_across_formats(tmp_path, capsys, db):
    for name in ("a.jsonl", "b.jsonl", "a.csv", "a.parquet"):
        assert run_mkc(capsys, "db", "export", tmp_path / name, "--db", db)[0] == 0
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()
    rows = list(csv.DictReader((tmp_path / "a.csv").open()))
    parquet = duckdb.connect().execute(f"SELECT id, leadId, attributes FROM '{tmp_path / 'a.parquet'}'").fetchall()
    records = [json.loads(line) for line in (tmp_path / "a.jsonl").read_text().splitlines()]
    assert [int(r["id"]) for r in rows] == [p[0] for p in parquet] == [r["id"] for r in records]
    assert [json.loads(r["attributes"]) for r in rows] == [json.loads(p[2]) for p in parquet]
    assert [json.loads(r["attributes"]) for r in rows] == [r["attributes"] for r in records]


def test_people_export_has_the_run_changes_and_the_imported_headers(tmp_path, capsys, db):
    out = tmp_path / "people.csv"
    assert run_mkc(capsys, "db", "export", out, "--db", db, "--what", "people")[0] == 0
    rows = list(csv.reader(out.open()))
    assert rows[0] == ["Id", "First Name", "Email Address", "Lead Score", "Country", "Created At", "Subscribed"]
    assert rows[2] == ["1002", "Name2", "p2@example.com", "19", "DE", "2025-01-03T10:00:00Z", "false"]
    changed = tmp_path / "changed.csv"
    run_mkc(capsys, "db", "export", changed, "--db", db, "--what", "people", "--changed")
    assert list(csv.reader(changed.open())) == [["Id", "Lead Score"], ["1002", "19"], ["1003", "26"], ["1004", "33"]]


def test_an_exported_people_csv_imports_again(tmp_path, capsys, db):
    out = tmp_path / "people.csv"
    run_mkc(capsys, "db", "export", out, "--db", db, "--what", "people")
    copy = str(tmp_path / "copy.duckdb")
    code, said, _ = run_mkc(capsys, "db", "import", out, "--db", copy)
    assert code == 0 and "4 people" in said and "created_at datetime" in said


@pytest.mark.parametrize(
    "args, message",
    [
        (["db", "export", "{tmp}/a.txt", "--db", "{db}"], "a.txt: the extension picks the format"),
        (["db", "export", "{tmp}/a.csv", "--db", "{tmp}/none.duckdb"], "none.duckdb: no such file"),
        (["db", "export", "{tmp}/nowhere/a.csv", "--db", "{db}"], "a.csv: no such directory"),
        (["db", "export", "{tmp}/a.csv", "--db", "{db}", "--changed"], "--changed goes with --what people"),
    ],
)
def test_export_bad_input_is_one_line_exit_2(tmp_path, capsys, db, args, message):
    args = [a.replace("{tmp}", str(tmp_path)).replace("{db}", db) for a in args]
    code, _, err = run_mkc(capsys, *args)
    assert code == 2 and len(err.splitlines()) == 1 and message in err, err
