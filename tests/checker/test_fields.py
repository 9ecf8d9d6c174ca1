"""Fields (spec section 2): the standard field table, the closest-name hint,
and fields known from a database (`mkc check --db`, `mkc run --db`)."""

from __future__ import annotations

import pathlib

from hypothesis import given
from hypothesis import strategies as st
from mkc_cli import mkc

from mkc.load import load_source
from mkc.source import Source
from mkc.stdlib.fields import STANDARD_FIELDS, TYPES, closest


def diagnostics(text: str, known=None):
    return [(d.span.line, d.code, d.message) for d in load_source(Source("t.mkc", text), known).diagnostics]


def test_the_spec_table_is_built_in():
    # Spot checks of section 2's table: type, export header, REST name.
    assert STANDARD_FIELDS["lead_score"].type == "number"
    assert STANDARD_FIELDS["lead_score"].label == "Lead Score"
    assert STANDARD_FIELDS["job_title"].rest == "title"
    assert STANDARD_FIELDS["number_of_employees"].label == "Num Employees"
    assert STANDARD_FIELDS["do_not_call"].type == "boolean"
    assert STANDARD_FIELDS["created_at"].type == "date"
    assert len(STANDARD_FIELDS) == 28
    assert all(spec.type in TYPES for spec in STANDARD_FIELDS.values())


@given(st.sampled_from(sorted(STANDARD_FIELDS)), st.sampled_from(["label", "rest", "name", "aliases"]))
def test_every_name_marketo_uses_leads_back_to_the_field(field, which):
    spec = STANDARD_FIELDS[field]
    names = spec.aliases if which == "aliases" else (getattr(spec, which),)
    for name in names:
        for written in (name, name.upper(), name.lower()):
            assert closest(written, STANDARD_FIELDS) == field


def test_a_misspelling_finds_the_nearest_field():
    assert closest("lead_scor", STANDARD_FIELDS) == "lead_score"
    assert closest("contry", STANDARD_FIELDS) == "country"
    assert closest("zzzz", STANDARD_FIELDS) is None


def test_the_hint_names_the_known_field():
    (diag,) = load_source(Source("t.mkc", 'campaign C < smart_list < filter "Lead Score" < 10 > >')).diagnostics
    assert diag.code == "unknown-field" and diag.severity == "warning"
    assert "`lead_score`" in diag.hints[0]
    (diag,) = load_source(Source("t.mkc", "campaign C < smart_list < filter lead_scor >= 100 > >")).diagnostics
    assert diag.hints == ("did you mean `lead_score`?",)


def test_the_warning_points_at_the_field_name():
    (diag,) = load_source(Source("t.mkc", "campaign C < smart_list < filter lead_scor >= 100 > >")).diagnostics
    assert (diag.span.line, diag.span.column, diag.span.end_column) == (1, 34, 43)


def test_a_hint_to_declare_quotes_a_name_with_spaces():
    (diag,) = load_source(Source("t.mkc", 'people < person ann < "Fav Color" "red" > >')).diagnostics
    assert 'fields < "Fav Color" text >' in diag.hints[0]


def test_known_fields_from_outside_are_fields():
    text = 'fields < seats number >\ncampaign C < smart_list < filter segment = "A"; filter seats > 2 > >'
    assert [c for _, c, _ in diagnostics(text)] == ["unknown-field"]
    assert diagnostics(text, {"segment": "text", "seats": "number"}) == []
    # A database's column decides the type of a field the program does not declare.
    assert [c for _, c, _ in diagnostics("campaign C < smart_list < filter segment > 2 > >", {"segment": "date"})] == [
        "bad-argument"
    ]


def test_a_declared_type_that_contradicts_the_database_is_bad_argument():
    found = diagnostics("fields < seats text >", {"seats": "number"})
    assert found == [(1, "bad-argument", "`seats` is declared text, but the database holds it as number")]


def _database(tmp_path: pathlib.Path) -> str:
    csv = tmp_path / "people.csv"
    csv.write_text("Id,Email Address,Segment,Seats\n1,a@example.com,A,3\n")
    db = str(tmp_path / "s.duckdb")
    code, _, err = mkc("db", "import", str(csv), "--db", db)
    assert code == 0, err
    return db


def test_check_and_run_know_the_database_fields(tmp_path):
    db = _database(tmp_path)
    program = tmp_path / "c.mkc"
    program.write_text('campaign C < smart_list < filter segment = "A" >; flow < change_data_value seats 4 > >\n')
    code, _, err = mkc("check", str(program))
    assert code == 0 and err.count("warning[unknown-field]") == 2
    code, _, err = mkc("check", str(program), "--db", db)
    assert (code, err) == (0, "")
    code, out, err = mkc("run", str(program), "--campaign", "C", "--db", db)
    assert (code, err) == (0, "") and "Change Data Value  seats  3 -> 4" in out


def test_check_db_that_is_not_there_is_bad_input(tmp_path):
    program = tmp_path / "c.mkc"
    program.write_text("campaign C < flow < do_nothing > >\n")
    code, out, err = mkc("check", str(program), "--db", str(tmp_path / "none.duckdb"))
    assert code == 2 and err == f"mkc: error: {tmp_path / 'none.duckdb'}: no such file\n"
    assert not (tmp_path / "none.duckdb").exists()
