"""The field schema in the store (spec section 2, Fields): the importer names
and types standard fields by stdlib/fields.py's table, and databases of schema
version 1 are migrated to it."""

from __future__ import annotations

import datetime as dt
import gzip
import pathlib

import duckdb
import pytest
from store_helpers import content, query, run_mkc, write_csv

from mkc.stdlib.fields import STANDARD_FIELDS, standard_field
from mkc.store import field_name
from mkc.store.fields import database_fields


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


# ---- schema version 1 -> 2 ------------------------------------------------------------

SCHEMA1 = pathlib.Path(__file__).parent / "data" / "schema1.duckdb.gz"  # made by data/make_schema1.py


def schema1(tmp_path: pathlib.Path, *sql: str) -> str:
    """A copy of the version-1 fixture database, changed by `sql`."""
    db = tmp_path / "old.duckdb"
    db.write_bytes(gzip.decompress(SCHEMA1.read_bytes()))
    if sql:
        con = duckdb.connect(str(db))
        for statement in sql:
            con.execute(statement)
        con.close()
    return str(db)


def columns(db: str) -> list[tuple[str, str]]:
    return query(
        db,
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_name = 'people' ORDER BY ordinal_position",
    )


def test_the_fixture_is_as_the_old_importer_made_it(tmp_path):
    db = schema1(tmp_path)
    assert query(db, "SELECT value FROM mkc_meta WHERE key = 'schema_version'") == [("1",)]
    assert columns(db)[3:] == [
        ("email", "VARCHAR"),
        ("first_name", "VARCHAR"),
        ("title", "VARCHAR"),
        ("num_employees", "BIGINT"),
        ("lead_rating", "VARCHAR"),
        ("lead_score", "VARCHAR"),
        ("unsubscribed", "VARCHAR"),
        ("created_at", "DATE"),
        ("phone", "BIGINT"),
        ("favourite_colour", "VARCHAR"),
    ]


def test_reading_commands_refuse_a_schema_1_database_and_say_how_to_migrate(tmp_path, capsys):
    db = schema1(tmp_path)
    before = pathlib.Path(db).read_bytes()
    code, out, err = run_mkc(capsys, "db", "info", "--db", db)
    assert (code, out) == (2, "")
    assert err == (
        f"mkc: error: {db}: an mkc database of schema version 1; `mkc db migrate --db {db}` "
        "brings it to version 2 (so does any command that writes to it)\n"
    )
    assert pathlib.Path(db).read_bytes() == before


MIGRATED = [
    ("email", "VARCHAR"),
    ("first_name", "VARCHAR"),
    ("job_title", "VARCHAR"),
    ("number_of_employees", "BIGINT"),
    ("rating", "VARCHAR"),
    ("lead_score", "BIGINT"),
    ("unsubscribed", "BOOLEAN"),
    ("created_at", "TIMESTAMP"),
    ("phone", "VARCHAR"),
    ("favourite_colour", "VARCHAR"),
]


def test_migrate_renames_and_retypes_standard_fields(tmp_path, capsys):
    db = schema1(tmp_path)
    code, out, err = run_mkc(capsys, "db", "migrate", "--db", db)
    assert (code, err) == (0, "")
    assert out == f"{db}: migrated from schema version 1 to 2\n"
    assert query(db, "SELECT value FROM mkc_meta WHERE key = 'schema_version'") == [("2",)]
    assert columns(db)[3:] == MIGRATED
    assert query(db, "SELECT * EXCLUDE (_pid, _extra) FROM people ORDER BY _pid") == [
        ("1", "ann@example.com", "Ann", "CEO", 50, "Hot", 10, True, dt.datetime(2026, 1, 5), "5551234", "blue"),
        ("2", "bob@example.com", "Bob", "CTO", 7, "Cold", 25, False, dt.datetime(2026, 1, 6), "5559876", "green"),
        ("3", None, None, None, None, None, None, None, None, None, None),
    ]
    # An export still writes the headers the fields came from.
    assert ("job_title", "title") in query(db, "SELECT field, header FROM fields")
    assert ("number_of_employees", "Num Employees") in query(db, "SELECT field, header FROM fields")
    code, out, _ = run_mkc(capsys, "db", "migrate", "--db", db)
    assert (code, out) == (0, f"{db}: schema version 2 already; nothing to do\n")


def test_an_import_migrates_a_schema_1_database_first(tmp_path, capsys):
    db = schema1(tmp_path)
    path = write_csv(tmp_path / "p.csv", ["Id", "Job Title", "Lead Score"], [["1", "Chair", "11"]])
    code, out, err = run_mkc(capsys, "db", "import", path, "--db", db)
    assert (code, err) == (0, "")
    assert columns(db)[3:] == MIGRATED  # Job Title went into the renamed column, no new one
    assert query(db, "SELECT job_title, lead_score FROM people WHERE id = '1'") == [("Chair", 11)]


def test_the_checker_reads_a_schema_1_database_as_it_will_be(tmp_path):
    db = schema1(tmp_path)
    before = pathlib.Path(db).read_bytes()
    fields = database_fields(db)
    assert (fields["job_title"], fields["number_of_employees"], fields["lead_score"]) == ("text", "number", "number")
    assert "title" not in fields and fields["favourite_colour"] == "text"
    assert pathlib.Path(db).read_bytes() == before


def test_values_outside_their_column_follow_the_rename(tmp_path, capsys):
    db = schema1(tmp_path, """UPDATE people SET _extra = '{"num_employees": "many", "x": 1}' WHERE id = '3'""")
    assert run_mkc(capsys, "db", "migrate", "--db", db)[0] == 0
    assert query(db, "SELECT _extra FROM people WHERE id = '3'") == [('{"number_of_employees":"many","x":1}',)]


@pytest.mark.parametrize(
    "sql, message",
    [
        (
            "UPDATE people SET lead_score = 'lots' WHERE id = '2'",
            "lead_score is a standard number field, but person 2 has 'lots'; export the people "
            "(mkc db export people.csv --db {db} --what people) and import the file into a new database "
            "(--skip-bad-rows leaves such rows out)",
        ),
        (
            "ALTER TABLE people ADD COLUMN job_title VARCHAR",
            "the columns job_title and title are both the standard field job_title; export the people "
            "(mkc db export people.csv --db {db} --what people), keep one of the two columns, "
            "and import the file into a new database",
        ),
    ],
)
def test_a_migration_that_cannot_be_done_changes_nothing(tmp_path, capsys, sql, message):
    db = schema1(tmp_path, sql)
    before = content(db)
    code, out, err = run_mkc(capsys, "db", "migrate", "--db", db)
    assert (code, out) == (2, "")
    assert err == f"mkc: error: {db}: cannot migrate to schema version 2: {message.format(db=db)}\n"
    assert content(db) == before


def test_the_way_out_of_a_stopped_migration_works(tmp_path, capsys):
    """What the message says: export the people (an export reads the old
    database as it is) and import them into a new database."""
    db = schema1(tmp_path, "UPDATE people SET lead_score = 'lots' WHERE id = '2'")
    before = pathlib.Path(db).read_bytes()
    out_csv = str(tmp_path / "people.csv")
    code, out, err = run_mkc(capsys, "db", "export", out_csv, "--db", db, "--what", "people")
    assert (code, err) == (0, "")
    assert pathlib.Path(db).read_bytes() == before
    assert pathlib.Path(out_csv).read_text().splitlines()[0] == (
        "Id,Email Address,First Name,title,Num Employees,Lead Rating,Lead Score,Unsubscribed,Created At,"
        "Phone Number,Favourite Colour"
    )
    new = str(tmp_path / "new.duckdb")
    code, out, err = run_mkc(capsys, "db", "import", out_csv, "--db", new, "--skip-bad-rows")
    assert code == 0
    assert err == f"{out_csv}:3: Lead Score: 'lots' is not a number (lead_score is a standard number field) (skipped)\n"
    assert columns(new)[3:] == MIGRATED
    assert query(new, "SELECT id, job_title, lead_score FROM people ORDER BY _pid") == [
        ("1", "CEO", 10),
        ("3", None, None),
    ]


def test_a_run_over_a_schema_1_database_migrates_it_first(tmp_path, capsys):
    db = schema1(tmp_path)
    campaigns = tmp_path / "c.mkc"
    campaigns.write_text('campaign Hot <\n  smart_list < filter job_title = "CEO" >\n  flow < change_score +1 >\n>\n')
    code, out, err = run_mkc(capsys, "run", campaigns, "--campaign", "Hot", "--db", db)
    assert (code, err) == (0, "")
    # lead_score was text in version 1; a number now, so the score adds up.
    assert out == "2026-01-01T00:00  1  Change Score  lead_score  10 -> 11  change=+1  flow=Default.Hot\n"
    assert query(db, "SELECT value FROM mkc_meta WHERE key = 'schema_version'") == [("2",)]
