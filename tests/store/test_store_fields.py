"""The field schema in the store (spec section 2, Fields): the importer names
and types standard fields by stdlib/fields.py's table, and databases of schema
version 1 are migrated to it."""

from __future__ import annotations

import datetime as dt

import pytest
from store_helpers import query, run_mkc, write_csv

from mkc.stdlib.fields import STANDARD_FIELDS, standard_field
from mkc.store import field_name


@pytest.mark.parametrize(
    "header, field",
    [
        ("Job Title", "job_title"),
        ("title", "job_title"),  # REST name
        ("Num Employees", "number_of_employees"),
        ("numberOfEmployees", "number_of_employees"),
        ("Lead Rating", "rating"),
        ("Person Rating", "rating"),  # old UI name
        ("lead_rating", "rating"),
        ("EMAIL ADDRESS", "email"),
        ("mobilePhone", "mobile_phone"),
        ("Favourite Colour", "favourite_colour"),  # not standard: snake_case
        ("Lead Score Bonus", "lead_score_bonus"),
    ],
)
def test_headers_name_standard_fields_by_the_table(header, field):
    assert field_name(header) == field


def test_every_name_of_every_standard_field_finds_it():
    for spec in STANDARD_FIELDS.values():
        for name in (spec.name, spec.label, spec.rest, *spec.aliases):
            assert standard_field(name) is spec
    assert standard_field("Favourite Colour") is None


HEADER = ["Id", "Job Title", "Num Employees", "Lead Rating", "Lead Score", "Unsubscribed", "Created At", "Postal Code"]


def test_standard_fields_import_with_their_types(tmp_path, capsys):
    db = str(tmp_path / "s.duckdb")
    rows = [
        ["1", "CEO", "50", "Hot", "10", "TRUE", "2026-01-05", "12345"],
        ["2", "CTO", "7", "4", "25", "false", "2026-01-06T10:00Z", "2134"],
        ["3", "", "", "", "", "", "", ""],
    ]
    path = write_csv(tmp_path / "p.csv", HEADER, rows)
    code, out, err = run_mkc(capsys, "db", "import", path, "--db", db)
    assert (code, err) == (0, "")
    # Lead Rating is text although its values could be numbers; Postal Code
    # text although all digits; Created At a date-time although some are dates.
    assert out.strip().endswith(
        "fields: job_title text, number_of_employees integer, rating text, lead_score integer, "
        "unsubscribed boolean, created_at datetime, postal_code text"
    )
    assert query(db, "SELECT * EXCLUDE (_pid, _extra) FROM people ORDER BY _pid") == [
        ("1", "CEO", 50, "Hot", 10, True, dt.datetime(2026, 1, 5), "12345"),
        ("2", "CTO", 7, "4", 25, False, dt.datetime(2026, 1, 6, 10), "2134"),
        ("3", None, None, None, None, None, None, None),
    ]


def test_a_standard_number_with_decimals_is_a_number(tmp_path, capsys):
    db = str(tmp_path / "s.duckdb")
    path = write_csv(tmp_path / "p.csv", ["Id", "Annual Revenue"], [["1", "10"], ["2", "2.5"]])
    code, out, _ = run_mkc(capsys, "db", "import", path, "--db", db)
    assert code == 0 and out.strip().endswith("fields: annual_revenue number")


def test_a_value_not_of_a_standard_fields_type_is_a_bad_row(tmp_path, capsys):
    db = str(tmp_path / "s.duckdb")
    rows = [
        ["1", "CEO", "50", "Hot", "10", "true", "2026-01-05", "1"],
        ["2", "CTO", "7", "Cold", "lots", "maybe", "soon", "2"],
        ["3", "CFO", "many", "Warm", "30", "false", "2026-01-07", "3"],
    ]
    path = write_csv(tmp_path / "p.csv", HEADER, rows)
    code, out, err = run_mkc(capsys, "db", "import", path, "--db", db)
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"{path}:3: Lead Score: 'lots' is not a number (lead_score is a standard number field)",
        f"{path}:3: Unsubscribed: 'maybe' is not true or false (unsubscribed is a standard boolean field)",
        f"{path}:3: Created At: 'soon' is not a datetime (created_at is a standard date field)",
        f"{path}:4: Num Employees: 'many' is not a number (number_of_employees is a standard number field)",
        f"mkc: error: {path}: 4 bad rows; nothing imported (--skip-bad-rows imports the others)",
    ]
    code, out, err = run_mkc(capsys, "db", "import", path, "--db", db, "--skip-bad-rows")
    assert code == 0
    # The good rows decide the type: whole numbers, an integer field.
    assert "number_of_employees integer" in out and "lead_score integer" in out
    assert query(db, "SELECT id, lead_score, unsubscribed FROM people ORDER BY _pid") == [("1", 10, True)]


def test_type_may_narrow_a_standard_field_but_not_contradict_it(tmp_path, capsys):
    db = str(tmp_path / "s.duckdb")
    path = write_csv(tmp_path / "p.csv", ["Id", "Lead Score", "Created At"], [["1", "10", "2026-01-05"]])
    code, out, err = run_mkc(capsys, "db", "import", path, "--db", db, "--type", "Lead Score=text")
    assert (code, out) == (2, "")
    assert err == "mkc: error: --type 'Lead Score=text': lead_score is a standard field, always number\n"
    code, out, err = run_mkc(
        capsys, "db", "import", path, "--db", db, "--type", "lead_score=number", "--type", "created_at=date"
    )
    assert (code, err) == (0, "")
    assert out.strip().endswith("fields: lead_score number, created_at date")
