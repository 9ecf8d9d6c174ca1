"""Person exports as Excel and Marketo write them (encodings, delimiters,
dates, numbers, booleans), and the people export Marketo reads back."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import json
import pathlib
import shutil

import pytest
from store_helpers import content, query, run_mkc, write_campaigns

from mkc.store.cells import Reading, decimal_shown

EXCEL = pathlib.Path(__file__).parent / "data" / "excel_people.csv"

RECENT = """
fields < discount number >
campaign Recent <
  smart_list < filter created_at in_past 365 days >
  flow < change_score +1 >
>
"""


def _import(capsys, tmp_path, path, *options, db="s.duckdb"):
    return run_mkc(capsys, "db", "import", path, "--db", tmp_path / db, *options)


def _write(tmp_path, text: str, encoding: str = "utf-8", name: str = "p.csv") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


# ---- the Excel file -------------------------------------------------------------------


def test_the_excel_file_is_as_excel_writes_it():
    data = EXCEL.read_bytes()
    assert b"\r\n" in data and b"Ren\xe9" in data and b"\x80" in data  # cp1252: é, €
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert data.splitlines()[1].decode("cp1252").split(";")[4:9] == [
        "1.234",
        "1.250.000",
        "FALSE",
        "7/20/2025 8:46",
        "3/5/2026",
    ]


def test_an_excel_export_imports_with_its_values_and_says_how_it_was_read(tmp_path, capsys):
    code, out, err = _import(capsys, tmp_path, EXCEL)
    db = str(tmp_path / "s.duckdb")
    assert code == 0
    assert err == f"{EXCEL}: read as cp1252 (Windows), semicolon-separated, decimal comma, dates month/day/year\n"
    assert out == (
        f"{EXCEL}: 3 people into {db} (3 new, 0 updated); fields: first_name text, last_name text, email text, "
        "lead_score integer, annual_revenue number, unsubscribed boolean, created_at datetime, webinar_date date, "
        "discount number, notes text\n"
    )
    assert query(db, "SELECT * EXCLUDE (_pid, _extra) FROM people ORDER BY _pid") == [
        (
            "1001",
            "René",
            "Müller",
            "rene@example.com",
            1234,
            1250000.0,
            False,
            dt.datetime(2025, 7, 20, 8, 46),
            dt.date(2026, 3, 5),
            12.5,
            "Budget €5k",
        ),
        (
            "1002",
            "Zoë",
            "Ångström",
            "zoe@example.com",
            87,
            None,
            True,
            dt.datetime(2025, 12, 1, 14, 5),
            None,
            7.25,
            None,
        ),
        (
            "1003",
            "François",
            "Œuvre",
            "francois@example.com",
            None,
            2500.5,
            False,
            dt.datetime(2024, 1, 15),
            dt.date(2026, 2, 28),
            None,
            "“quoted”; with a semicolon",
        ),
    ]


def test_a_run_over_the_excel_people_matches_in_past_365_days(tmp_path, capsys):
    db = str(tmp_path / "s.duckdb")
    _import(capsys, tmp_path, EXCEL)
    mkc_file = write_campaigns(tmp_path, RECENT)
    code, out, err = run_mkc(capsys, "run", mkc_file, "--campaign", "Recent", "--db", db, "--at", "2026-03-01T09:00")
    assert (code, err) == (0, "")
    assert [line.split()[1] for line in out.splitlines() if "Change Score" in line] == ["1001", "1002"]
    assert query(db, "SELECT id, lead_score FROM people ORDER BY _pid") == [
        ("1001", 1235),
        ("1002", 88),
        ("1003", None),
    ]


def test_run_people_reads_the_excel_file_too(tmp_path, capsys):
    mkc_file = write_campaigns(tmp_path, RECENT)
    code, out, err = run_mkc(
        capsys, "run", mkc_file, "--campaign", "Recent", "--people", EXCEL, "--at", "2026-03-01T09:00", "--decimal", ","
    )
    assert code == 0 and err.startswith(f"{EXCEL}: read as cp1252")
    assert [line.split()[1] for line in out.splitlines() if "Change Score" in line] == ["1001", "1002"]


def test_reading_options_go_with_people(tmp_path, capsys):
    mkc_file = write_campaigns(tmp_path, RECENT)
    code, _, err = run_mkc(capsys, "run", mkc_file, "--campaign", "Recent", "--encoding", "cp1252")
    assert code == 2 and err == "mkc: error: --encoding, --delimiter, --decimal and --date-format go with --people\n"


# ---- encodings ------------------------------------------------------------------------

ROWS = "Id,First Name,Lead Score\n1,Zoë,5\n2,Łukasz,7\n"


@pytest.mark.parametrize(
    "encoding, said",
    [
        ("utf-8", ""),
        ("utf-8-sig", "UTF-8 with a byte order mark, comma-separated"),
        ("utf-16", "UTF-16, comma-separated"),
    ],
)
def test_utf8_with_or_without_bom_and_utf16_are_found(tmp_path, capsys, encoding, said):
    path = _write(tmp_path, ROWS, encoding)
    code, _, err = _import(capsys, tmp_path, path)
    assert code == 0 and err == (f"{path}: read as {said}\n" if said else "")
    assert query(str(tmp_path / "s.duckdb"), "SELECT id, first_name FROM people") == [("1", "Zoë"), ("2", "Łukasz")]


def test_windows_text_is_cp1252_even_its_unassigned_bytes(tmp_path, capsys):
    path = tmp_path / "p.csv"
    path.write_bytes(b"Id,Notes\n1,\x80 5 \x93quoted\x94\n2,odd \x81 byte\n")
    code, _, err = _import(capsys, tmp_path, str(path))
    assert code == 0 and err == f"{path}: read as cp1252 (Windows), comma-separated\n"
    assert query(str(tmp_path / "s.duckdb"), "SELECT notes FROM people") == [("€ 5 “quoted”",), ("odd \x81 byte",)]


def test_encoding_option_forces_it(tmp_path, capsys):
    path = tmp_path / "p.csv"
    path.write_bytes(b"Id,Notes\n1,\x80\n")
    code, _, _ = _import(capsys, tmp_path, str(path), "--encoding", "latin-1")
    assert code == 0 and query(str(tmp_path / "s.duckdb"), "SELECT notes FROM people") == [("\x80",)]
    code, _, err = _import(capsys, tmp_path, str(path), "--encoding", "klingon", db="t.duckdb")
    assert (
        code == 2 and err == "mkc: error: --encoding klingon: no such encoding (utf-8, cp1252, latin-1, utf-16, ...)\n"
    )
    code, _, err = _import(capsys, tmp_path, str(path), "--encoding", "utf-16", db="u.duckdb")
    assert (
        code == 2 and err == f"mkc: error: {path}: cannot read it as utf-16 (UTF-16 stream does not start with BOM)\n"
    )


def test_damaged_utf8_is_reported_at_its_line_far_into_the_file(tmp_path, capsys):
    rows = "".join(f"{i},Zoë\n" for i in range(1, 3000))  # UTF-8 beyond ASCII before the bad byte
    path = tmp_path / "p.csv"
    path.write_bytes(("Id,Name\n" + rows).encode() + b"3000,Caf\xe9\n")
    code, out, err = _import(capsys, tmp_path, str(path))
    assert code == 2 and out == ""
    assert err == (
        f"mkc: error: {path}: not UTF-8 text at line 3001, column 9 (byte 0xe9), though it is UTF-8 before it "
        "(--encoding cp1252 reads it as Windows text)\n"
    )
    assert not (tmp_path / "s.duckdb").exists()


# ---- delimiters and the header ------------------------------------------------------------


def test_tab_and_semicolon_delimiters_are_found(tmp_path, capsys):
    for i, delimiter in enumerate(("\t", ";")):
        path = _write(tmp_path, f"Id{delimiter}Lead Score{delimiter}City\n1{delimiter}5{delimiter}Gent\n", name=f"{i}")
        code, out, err = _import(capsys, tmp_path, path, db=f"{i}.duckdb")
        assert code == 0 and "lead_score integer, city text" in out
        assert err == f"{path}: read as UTF-8, {'tab' if i == 0 else 'semicolon'}-separated\n"


def test_no_id_column_says_what_header_was_seen_without_a_hint_it_cannot_use(tmp_path, capsys):
    path = _write(tmp_path, "Id;First Name\n1;Ann\n")
    for extra in ([], ["--skip-bad-rows"]):
        code, _, err = _import(capsys, tmp_path, path, "--delimiter", "tab", *extra)
        assert code == 2
        assert err.splitlines() == [
            f"{path}:1: no Id column (Marketo's person export has one; it is the person's key); read as UTF-8, "
            "tab-separated, the header has 1 column: 'Id;First Name'",
            f"mkc: error: {path}: a bad header row; nothing imported",
        ]


def test_delimiter_option_is_checked(tmp_path, capsys):
    code, _, err = _import(capsys, tmp_path, _write(tmp_path, "Id\n1\n"), "--delimiter", "ab")
    assert code == 2 and err == "mkc: error: --delimiter 'ab': give one character: ',', ';' or tab\n"


# ---- dates ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, when",
    [
        ("7/20/2025 8:46", dt.datetime(2025, 7, 20, 8, 46)),
        ("07/20/2025 08:46:30", dt.datetime(2025, 7, 20, 8, 46, 30)),
        ("7/20/2025", dt.datetime(2025, 7, 20)),
        ("7/20/2025 8:46 PM", dt.datetime(2025, 7, 20, 20, 46)),
        ("2025-07-20 08:46:00", dt.datetime(2025, 7, 20, 8, 46)),
        ("2025-07-20T08:46:00Z", dt.datetime(2025, 7, 20, 8, 46)),
        ("2025-07-20T10:46:00+02:00", dt.datetime(2025, 7, 20, 8, 46)),
        ("2025-07-20T03:46-0500", dt.datetime(2025, 7, 20, 8, 46)),
        ("2025-07-20T08:46:00.250+00:00", dt.datetime(2025, 7, 20, 8, 46, 0, 250000)),
        ("20.07.2025 08:46", dt.datetime(2025, 7, 20, 8, 46)),
    ],
)
def test_dates_as_excel_and_marketo_write_them(tmp_path, capsys, text, when):
    path = write_rows(tmp_path, ["Id", "Created At", "Signed Up"], [["1", text, text]])
    code, out, _ = _import(capsys, tmp_path, path)
    kind = "date" if text == "7/20/2025" else "datetime"  # a custom field of dates alone is a date field
    assert code == 0 and f"created_at datetime, signed_up {kind}" in out
    signed_up = "CAST(signed_up AS TIMESTAMP)"
    assert query(str(tmp_path / "s.duckdb"), f"SELECT created_at, {signed_up} FROM people") == [(when, when)]


def write_rows(tmp_path, header, rows, name="p.csv") -> str:
    path = tmp_path / name
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([header, *rows])
    return str(path)


def test_a_date_that_cannot_be_month_first_makes_the_file_day_first(tmp_path, capsys):
    path = write_rows(
        tmp_path, ["Id", "Created At", "Renewal"], [["1", "5/8/2025", "1/2/2026"], ["2", "20/7/2025", ""]]
    )
    code, _, err = _import(capsys, tmp_path, path)
    assert code == 0 and err == f"{path}: read as dates day/month/year\n"
    assert query(str(tmp_path / "s.duckdb"), "SELECT created_at, renewal FROM people ORDER BY _pid") == [
        (dt.datetime(2025, 8, 5), dt.date(2026, 2, 1)),
        (dt.datetime(2025, 7, 20), None),
    ]


def test_date_format_option_decides_the_order_or_the_format(tmp_path, capsys):
    path = write_rows(tmp_path, ["Id", "Created At"], [["1", "5/8/2025"]])
    _import(capsys, tmp_path, path, "--date-format", "d/m/y")
    assert query(str(tmp_path / "s.duckdb"), "SELECT created_at FROM people") == [(dt.datetime(2025, 8, 5),)]
    other = write_rows(tmp_path, ["Id", "Created At"], [["1", "2025.08.05 7h30"]], name="q.csv")
    code, _, err = _import(capsys, tmp_path, other, "--date-format", "%Y.%m.%d %Hh%M", db="t.duckdb")
    assert code == 0 and err == f"{other}: read as dates as %Y.%m.%d %Hh%M\n"
    assert query(str(tmp_path / "t.duckdb"), "SELECT created_at FROM people") == [(dt.datetime(2025, 8, 5, 7, 30),)]
    code, _, err = _import(capsys, tmp_path, other, "--date-format", "y/m/d", db="u.duckdb")
    assert code == 2 and err.startswith("mkc: error: --date-format 'y/m/d': give m/d/y, d/m/y or a format")


def test_a_standard_date_field_with_a_value_that_is_not_one_is_a_bad_row(tmp_path, capsys):
    path = write_rows(tmp_path, ["Id", "Created At"], [["1", "7/20/2025"], ["2", "13/13/2025"], ["3", "soon"]])
    code, _, err = _import(capsys, tmp_path, path)
    assert code == 2 and err.splitlines()[:2] == [
        f"{path}:3: Created At: '13/13/2025' is not a datetime (created_at is a standard date field)",
        f"{path}:4: Created At: 'soon' is not a datetime (created_at is a standard date field)",
    ]


def test_a_date_column_that_stays_text_is_flagged(tmp_path, capsys):
    rows = [["1", "3/5/2026", "x"], ["2", "3/6/2026", "2026-01-01"], ["3", "next week", "y"], ["4", "3/7/2026", "z"]]
    path = write_rows(tmp_path, ["Id", "Webinar Date", "Notes"], rows)
    code, out, err = _import(capsys, tmp_path, path)
    assert code == 0 and "webinar_date text, notes text" in out
    assert err.splitlines() == [
        f"{path}: read as dates month/day/year",
        f"{path}:4: warning: column 'Webinar Date' stays text: 'next week' is not a date "
        "(--type webinar_date=datetime reads the others as dates and reports such rows)",
    ]


def test_a_column_named_as_a_date_that_stays_text_is_flagged(tmp_path, capsys):
    path = write_rows(tmp_path, ["Id", "Signed Up At"], [["1", "Jul 20, 2025"]])
    code, _, err = _import(capsys, tmp_path, path)
    assert code == 0 and err == (
        f"{path}:2: warning: column 'Signed Up At' stays text: 'Jul 20, 2025' is not a date "
        "(--type signed_up_at=datetime reads the others as dates and reports such rows)\n"
    )


# ---- numbers, booleans, empty cells --------------------------------------------------------


def test_thousands_separators_and_decimal_marks(tmp_path, capsys):
    path = write_rows(
        tmp_path,
        ["Id", "Annual Revenue", "Lead Score", "Seats"],
        [["1", "1,250,000.50", "1,234", "12"], ["2", "", "7", "1,000"]],
    )
    code, out, err = _import(capsys, tmp_path, path)
    assert (code, err) == (0, "") and "annual_revenue number, lead_score integer, seats integer" in out
    assert query(str(tmp_path / "s.duckdb"), "SELECT annual_revenue, lead_score, seats FROM people ORDER BY _pid") == [
        (1250000.5, 1234, 12),
        (None, 7, 1000),
    ]


def test_a_semicolon_file_reads_its_decimal_mark_from_its_numbers(tmp_path, capsys):
    comma = _write(tmp_path, "Id;Annual Revenue;Ratio\n1;1.250.000;0,5\n", name="a.csv")
    point = _write(tmp_path, "Id;Annual Revenue;Ratio\n1;1,250,000;0.5\n", name="b.csv")
    _import(capsys, tmp_path, comma, db="a.duckdb")
    _import(capsys, tmp_path, point, db="b.duckdb")
    for db in ("a.duckdb", "b.duckdb"):
        assert query(str(tmp_path / db), "SELECT annual_revenue, ratio FROM people") == [(1250000.0, 0.5)]
    forced = _write(tmp_path, "Id;Lead Score\n1;1.234\n", name="c.csv")
    _import(capsys, tmp_path, forced, "--decimal", ".", db="c.duckdb")
    assert query(str(tmp_path / "c.duckdb"), "SELECT lead_score FROM people") == [(1.234,)]


def test_booleans_as_true_yes_and_1(tmp_path, capsys):
    rows = [["1", "TRUE", "yes"], ["2", "False", "NO"], ["3", "1", "yes"], ["4", "0", ""], ["5", "", "no"]]
    path = write_rows(tmp_path, ["Id", "Unsubscribed", "Opt In"], rows)
    code, out, _ = _import(capsys, tmp_path, path)
    assert code == 0 and "unsubscribed boolean, opt_in text" in out  # yes/no alone may be a picklist's text
    assert query(str(tmp_path / "s.duckdb"), "SELECT unsubscribed FROM people ORDER BY _pid") == [
        (True,),
        (False,),
        (True,),
        (False,),
        (None,),
    ]


def test_reading_rules_in_python_and_sql_agree():
    reading = Reading(decimal=",", day_first=True)
    assert reading.inferred(["1.234", "7"]) == ["BIGINT", "DOUBLE"]
    assert reading.inferred(["1.234,5"]) == ["DOUBLE"]
    assert reading.inferred(["20/7/2025"]) == ["DATE", "TIMESTAMP"]
    assert reading.inferred(["TRUE", "false"]) == ["BOOLEAN"]
    assert decimal_shown(["1.234", "12"]) is None
    assert decimal_shown(["2,5"]) == "," and decimal_shown(["1,234.5"]) == "."
    assert decimal_shown(["2,5", "2.5"]) is None


# ---- the people export ------------------------------------------------------------------------


def test_the_people_export_is_marketo_shaped(tmp_path, capsys):
    db = str(tmp_path / "s.duckdb")
    _import(capsys, tmp_path, EXCEL)
    code, out, err = run_mkc(capsys, "db", "export", "-", "--db", db, "--what", "people")
    assert code == 0 and err == f"-: 3 people from {db}\n"
    assert out.splitlines() == [
        "Id,First Name,Last Name,Email Address,Lead Score,Annual Revenue,Unsubscribed,Created At,Webinar Date,"
        "Discount,Notes",
        "1001,René,Müller,rene@example.com,1234,1250000,false,2025-07-20T08:46:00Z,2026-03-05,12.5,Budget €5k",
        "1002,Zoë,Ångström,zoe@example.com,87,,true,2025-12-01T14:05:00Z,,7.25,",
        "1003,François,Œuvre,francois@example.com,,2500.5,false,2024-01-15T00:00:00Z,2026-02-28,,"
        "“quoted”; with a semicolon",
    ]


def test_marketo_headers_whatever_header_a_field_came_with(tmp_path, capsys):
    db = str(tmp_path / "s.duckdb")
    _import(capsys, tmp_path, write_rows(tmp_path, ["Id", "leadScore", "title", "Tier"], [["1", "5", "CTO", "A"]]))
    _, out, _ = run_mkc(capsys, "db", "export", "-", "--db", db, "--what", "people")
    assert out.splitlines()[0] == "Id,Lead Score,Job Title,Tier"
    _, out, _ = run_mkc(capsys, "db", "export", "-", "--db", db, "--what", "people", "--headers", "fields")
    assert out.splitlines()[0] == "Id,lead_score,job_title,tier"


def test_the_export_imports_back_into_the_same_people(tmp_path, capsys):
    db, copy = str(tmp_path / "s.duckdb"), str(tmp_path / "copy.duckdb")
    _import(capsys, tmp_path, EXCEL)
    out = tmp_path / "people.csv"
    assert run_mkc(capsys, "db", "export", out, "--db", db, "--what", "people")[0] == 0
    code, _, err = run_mkc(capsys, "db", "import", out, "--db", copy)
    assert (code, err) == (0, "")
    every = "SELECT * EXCLUDE (_pid) FROM people ORDER BY _pid"
    assert query(copy, every) == query(db, every)
    assert query(copy, "SELECT * FROM fields ORDER BY field") == query(db, "SELECT * FROM fields ORDER BY field")


def test_whole_numbers_large_ids_and_fields_kept_outside_columns(tmp_path, capsys):
    db = str(tmp_path / "s.duckdb")
    path = write_rows(
        tmp_path, ["Id", "Annual Revenue", "Account Id"], [["1", "3", "9007199254740993"], ["2", "2.5", "7"]]
    )
    _import(capsys, tmp_path, path)
    big = "campaign Big < flow < change_data_value huge 123456789012345678901234567890 > >\nfields < huge number >\n"
    run_mkc(capsys, "run", write_campaigns(tmp_path, big), "--campaign", "Big", "--db", db, "--at", "2026-01-05T09:00")
    assert query(db, "SELECT count(*) FROM people WHERE _extra LIKE '%huge%'") == [(2,)]  # no column holds it
    _, out, _ = run_mkc(capsys, "db", "export", "-", "--db", db, "--what", "people")
    assert out.splitlines() == [
        "Id,Annual Revenue,Account Id,huge",
        "1,3,9007199254740993,123456789012345678901234567890",
        "2,2.5,7,123456789012345678901234567890",
    ]
    _, out, _ = run_mkc(capsys, "db", "export", "-", "--db", db, "--what", "people", "--format", "jsonl")
    assert json.loads(out.splitlines()[0]) == {
        "Id": "1",
        "Annual Revenue": 3,
        "Account Id": 9007199254740993,
        "huge": "123456789012345678901234567890",
    }


def test_activities_to_standard_output_too(tmp_path, capsys):
    db = str(tmp_path / "s.duckdb")
    _import(capsys, tmp_path, EXCEL)
    mkc_file = write_campaigns(tmp_path, RECENT)
    run_mkc(capsys, "run", mkc_file, "--campaign", "Recent", "--db", db, "--at", "2026-03-01T09:00")
    file_out = tmp_path / "a.jsonl"
    run_mkc(capsys, "db", "export", file_out, "--db", db)
    code, out, err = run_mkc(capsys, "db", "export", "-", "--db", db)
    assert code == 0 and out == file_out.read_text() and err == f"-: {len(out.splitlines())} activities from {db}\n"
    code, out, _ = run_mkc(capsys, "db", "export", "-", "--db", db, "--format", "csv")
    assert code == 0 and out.startswith('"id","marketoGUID","leadId",')


def test_export_keeps_utf8_whatever_the_import_was(tmp_path, capsys):
    shutil.copy(EXCEL, tmp_path / "e.csv")
    _import(capsys, tmp_path, tmp_path / "e.csv")
    out = tmp_path / "p.csv"
    run_mkc(capsys, "db", "export", out, "--db", tmp_path / "s.duckdb", "--what", "people")
    assert "René" in codecs.decode(out.read_bytes(), "utf-8")


def test_a_failed_excel_import_leaves_the_database_as_it_was(tmp_path, capsys):
    db = str(tmp_path / "s.duckdb")
    _import(capsys, tmp_path, EXCEL)
    before = content(db)
    bad = tmp_path / "bad.csv"
    bad.write_bytes("Id;Created At;Lead Score\r\n1001;7/21/2025;1.300\r\n1004;31/31/2025;5\r\n".encode("cp1252"))
    code, out, err = _import(capsys, tmp_path, str(bad))
    assert code == 2 and out == ""
    assert err.splitlines() == [
        f"{bad}:3: Created At: '31/31/2025' is not a datetime (created_at is datetime in {db})",
        f"mkc: error: {bad}: 1 bad row; nothing imported (--skip-bad-rows imports the others)",
    ]
    assert content(db) == before
