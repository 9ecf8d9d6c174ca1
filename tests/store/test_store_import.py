"""`mkc db import`: Marketo's person export into the store."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from store_helpers import HEADER, content, people_csv, query, run_mkc, write_csv

from mkc.store import field_name


@pytest.mark.parametrize(
    "header, field",
    [
        ("Email Address", "email"),
        ("Lead Score", "lead_score"),
        ("First Name", "first_name"),
        ("Person Score", "lead_score"),
        ("Job Title", "job_title"),
        ("Company Name", "company"),
        ("leadScore", "lead_score"),
        ("Preferred Webinar Date", "preferred_webinar_date"),
        ("NPS (0-10)", "nps_0_10"),
        ("email", "email"),
    ],
)
def test_headers_become_snake_case_fields(header, field):
    assert field_name(header) == field


def test_import_infers_types_and_keys_people_by_id(tmp_path, capsys):
    db = str(tmp_path / "s.duckdb")
    rows = [
        ["1001", "Ann", "ann@example.com", "10", "NL", "2025-01-05T10:00:00Z", "true", "2.5", "007", "2025-01-05"],
        ["1002", "Bob", "", "", "", "2025-01-06 11:00", "FALSE", "3", "1234", ""],
    ]
    path = write_csv(tmp_path / "p.csv", [*HEADER, "Fit Rating", "Postal Code", "Birthday"], rows)
    code, out, err = run_mkc(capsys, "db", "import", path, "--db", db)
    assert (code, err) == (0, "")
    assert out.strip() == (
        f"{path}: 2 people into {db} (2 new, 0 updated); fields: first_name text, email text, lead_score integer, "
        "country text, created_at datetime, subscribed boolean, fit_rating number, postal_code text, birthday date"
    )
    people = query(db, "SELECT * EXCLUDE (_extra) FROM people ORDER BY _pid")
    assert people == [
        (
            1,
            "1001",
            "Ann",
            "ann@example.com",
            10,
            "NL",
            dt.datetime(2025, 1, 5, 10),
            True,
            2.5,
            "007",
            dt.date(2025, 1, 5),
        ),
        (2, "1002", "Bob", None, None, None, dt.datetime(2025, 1, 6, 11), False, 3.0, "1234", None),
    ]
    assert query(db, "SELECT header FROM fields WHERE field = 'email'") == [("Email Address",)]


def test_type_option_overrides_inference(tmp_path, capsys):
    db = str(tmp_path / "s.duckdb")
    path = write_csv(tmp_path / "p.csv", ["Id", "Lead Score", "Zip"], [["1", "10", "1234"]])
    code, out, _ = run_mkc(
        capsys, "db", "import", path, "--db", db, "--type", "lead_score=number", "--type", "zip=text"
    )
    assert code == 0 and "lead_score number, zip text" in out
    assert query(db, "SELECT typeof(lead_score), zip FROM people") == [("DOUBLE", "1234")]


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_imported(tmp_path, capsys):
    db = str(tmp_path / "s.duckdb")
    path = tmp_path / "p.csv"
    path.write_text(
        "Id,First Name,Lead Score\n"
        "1,Ann,10\n"
        '2,"Bob\nwith a newline",20\n'  # a quoted newline: lines 3-4
        "3,Cy\n"  # line 5: too few fields
        "1,Ann again,5\n"  # line 6: duplicate
        ",Nobody,1\n"  # line 7: no Id
        "4,Dee,lots\n"  # line 8: not a number (with --type)
    )
    code, out, err = run_mkc(capsys, "db", "import", str(path), "--db", db, "--type", "lead_score=integer")
    assert code == 2 and out == ""
    assert err.splitlines() == [
        f"{path}:5: 2 fields, expected 3",
        f"{path}:6: duplicate Id 1 (first at line 2)",
        f"{path}:7: no Id",
        f"{path}:8: Lead Score: 'lots' is not a whole number (--type lead_score=integer)",
        f"mkc: error: {path}: 4 bad rows; nothing imported (--skip-bad-rows imports the others)",
    ]
    assert not (tmp_path / "s.duckdb").exists()  # the import made the database: it is gone again


def test_a_failed_import_leaves_an_existing_database_as_it_was(tmp_path, capsys):
    db = str(tmp_path / "s.duckdb")
    run_mkc(capsys, "db", "import", people_csv(tmp_path, 5), "--db", db)
    before = content(db)
    bad = write_csv(tmp_path / "bad.csv", ["Id", "Lead Score", "New Field"], [["1001", "99", "x"], ["7", "abc", "y"]])
    code, _, err = run_mkc(capsys, "db", "import", bad, "--db", db)
    assert code == 2 and f"{bad}:3: Lead Score: 'abc' is not a whole number (lead_score is integer in {db})" in err
    assert content(db) == before


def test_skip_bad_rows_imports_the_others_and_reports_the_skipped(tmp_path, capsys):
    db = str(tmp_path / "s.duckdb")
    path = write_csv(tmp_path / "p.csv", ["Id", "Lead Score"], [["1", "10"], ["2"], ["1", "30"], ["3", "40"]])
    code, out, err = run_mkc(capsys, "db", "import", path, "--db", db, "--skip-bad-rows")
    assert code == 0
    assert err.splitlines() == [
        f"{path}:3: 1 fields, expected 2 (skipped)",
        f"{path}:4: duplicate Id 1 (first at line 2) (skipped)",
    ]
    assert "2 people" in out and "2 bad rows skipped" in out
    assert query(db, "SELECT id, lead_score FROM people ORDER BY _pid") == [("1", 10), ("3", 40)]


def test_a_second_import_updates_known_ids_and_keeps_values_for_empty_cells(tmp_path, capsys):
    db = str(tmp_path / "s.duckdb")
    run_mkc(
        capsys,
        "db",
        "import",
        write_csv(tmp_path / "a.csv", ["Id", "Lead Score", "Country"], [["1", "5", "NL"]]),
        "--db",
        db,
    )
    second = write_csv(
        tmp_path / "b.csv", ["Id", "Lead Score", "Country", "Tier"], [["2", "7", "BE", "A"], ["1", "", "DE", ""]]
    )
    code, out, _ = run_mkc(capsys, "db", "import", second, "--db", db)
    assert code == 0 and "(1 new, 1 updated)" in out
    assert query(db, "SELECT id, lead_score, country, tier FROM people ORDER BY _pid") == [
        ("1", 5, "DE", None),
        ("2", 7, "BE", "A"),
    ]


def test_decimals_turn_an_integer_field_into_a_number_field(tmp_path, capsys):
    db = str(tmp_path / "s.duckdb")
    run_mkc(capsys, "db", "import", write_csv(tmp_path / "a.csv", ["Id", "Score"], [["1", "5"]]), "--db", db)
    code, _, err = run_mkc(
        capsys, "db", "import", write_csv(tmp_path / "b.csv", ["Id", "Score"], [["2", "2.5"]]), "--db", db
    )
    assert (code, err) == (0, "")
    assert query(db, "SELECT id, score FROM people ORDER BY _pid") == [("1", 5.0), ("2", 2.5)]


def test_parquet_imports_too_with_row_numbers_for_lines(tmp_path, capsys):
    db = str(tmp_path / "s.duckdb")
    source = tmp_path / "p.parquet"
    con = duckdb.connect()
    con.execute(
        f"COPY (SELECT * FROM (VALUES ('1', 'Ann', 10), ('2', 'Bob', 20), ('1', 'Ann', 30)) "
        f'AS t("Id", "First Name", "Lead Score")) TO \'{source}\' (FORMAT parquet)'
    )
    code, _, err = run_mkc(capsys, "db", "import", str(source), "--db", db)
    assert code == 2 and err.splitlines()[0] == f"{source}:3: duplicate Id 1 (first at line 1)"
    code, out, _ = run_mkc(capsys, "db", "import", str(source), "--db", db, "--skip-bad-rows")
    assert code == 0 and "lead_score integer" in out
    assert query(db, "SELECT id, first_name, lead_score FROM people ORDER BY _pid") == [
        ("1", "Ann", 10),
        ("2", "Bob", 20),
    ]


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "First Name,Lead Score\nAnn,1\n",
            "1: no Id column (Marketo's person export has one; it is the person's key); "
            "read as UTF-8, comma-separated, the header has 2 columns: 'First Name', 'Lead Score'",
        ),
        ("Id,Email,Email Address\n1,a,b\n", "1: columns 'Email' and 'Email Address' are both the field `email`"),
        ("Id,,Score\n1,a,2\n", "1: column 2 has no name"),
    ],
)
def test_a_bad_header_is_reported_at_line_1(tmp_path, capsys, text, message):
    path = tmp_path / "p.csv"
    path.write_text(text)
    code, _, err = run_mkc(capsys, "db", "import", str(path), "--db", str(tmp_path / "s.duckdb"))
    assert code == 2 and err.splitlines()[0] == f"{path}:{message}"


@pytest.mark.parametrize(
    "args, message",
    [
        (["db", "import", "missing.csv"], "mkc: error: missing.csv: no such file"),
        (["db", "import", "{csv}", "--type", "lead_score"], "mkc: error: --type 'lead_score': write FIELD=TYPE"),
        (
            ["db", "import", "{csv}", "--type", "lead_score=money"],
            "mkc: error: --type 'lead_score=money': the types are",
        ),
        (["db", "import", "{csv}", "--type", "nope=text"], "mkc: error: --type nope=...: "),
    ],
)
def test_bad_input_is_one_line_exit_2(tmp_path, capsys, args, message):
    csv_path = people_csv(tmp_path, 2)
    args = [a.replace("{csv}", csv_path) for a in args] + ["--db", str(tmp_path / "s.duckdb")]
    code, _, err = run_mkc(capsys, *args)
    assert code == 2 and len(err.splitlines()) == 1 and err.startswith(message), err


def test_not_utf8_is_one_line(tmp_path, capsys):
    path = tmp_path / "p.csv"
    path.write_bytes(b"Id,Name\n1,Caf\xe9\n")
    code, _, err = run_mkc(capsys, "db", "import", str(path), "--db", str(tmp_path / "s.duckdb"), "--encoding", "utf-8")
    assert code == 2 and err.startswith(f"mkc: error: {path}: not UTF-8 text") and len(err.splitlines()) == 1
    assert "at line 2, column 6 (byte 0xe9)" in err
