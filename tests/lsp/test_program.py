"""lsp.program, in-process: the names renames touch, written as the language wants them."""

from __future__ import annotations

import pathlib
import shutil

import pytest

from mkc.lsp.program import analyse, real
from mkc.source import BadInput

TEXT = """program "Web Leads" <
  tokens < my."Webinar Date" = 2026-05-12 >
  email "Welcome" < subject "On <<my.Webinar Date>>" >
  campaign "Form Fill" executable < flow < send_email "Welcome" > >
  campaign Caller < flow < execute_campaign "Web Leads"."Form Fill"; execute_campaign "Form Fill" > >
>
scenario s < run Caller >
"""


def renamed(tmp_path: pathlib.Path, needle: str, offset: int, new: str) -> str:
    path = tmp_path / "a.mkc"
    path.write_text(TEXT)
    prog = analyse(str(path), {})
    at = TEXT.index(needle) + offset
    line, column = TEXT.count("\n", 0, at) + 1, at - (TEXT.rfind("\n", 0, at) + 1) + 1
    place = prog.place_at(real(str(path)), line, column)
    assert place is not None
    lines = TEXT.split("\n")
    for span, text in sorted(prog.rename(place, new)[real(str(path))], key=lambda e: (-e[0].line, -e[0].column)):
        row = lines[span.line - 1]
        lines[span.line - 1] = row[: span.column - 1] + text + row[span.end_column - 1 :]
    return "\n".join(lines)


def test_a_quoted_campaign_name_in_qualified_and_string_references(tmp_path):
    out = renamed(tmp_path, 'campaign "Form Fill"', 10, "Form Submit")
    assert 'campaign "Form Submit" executable' in out
    assert 'execute_campaign "Web Leads"."Form Submit"; execute_campaign "Form Submit"' in out
    out = renamed(tmp_path, 'campaign "Form Fill"', 10, "Submit")
    assert "campaign Submit executable" in out and 'execute_campaign "Web Leads".Submit' in out


def test_an_asset_and_a_token_with_spaces(tmp_path):
    out = renamed(tmp_path, 'send_email "Welcome"', 12, "Hello")
    assert 'email "Hello" <' in out and 'send_email "Hello"' in out
    out = renamed(tmp_path, "<<my.Webinar Date>>", 7, "Event Day")
    assert 'my."Event Day" = 2026-05-12' in out and '"On <<my.Event Day>>"' in out


def test_what_cannot_be_renamed(tmp_path):
    with pytest.raises(BadInput, match="Web Leads.Caller already has the name Caller"):
        renamed(tmp_path, 'campaign "Form Fill"', 10, "Caller")
    with pytest.raises(BadInput, match="cannot be a name"):
        renamed(tmp_path, 'campaign "Form Fill"', 10, 'a"b')
    with pytest.raises(BadInput, match="only campaigns, assets and My Tokens"):
        renamed(tmp_path, 'program "Web Leads"', 9, "Other")


# ---- people and declared fields, across the files of a project ----------------------------

ROOT = pathlib.Path(__file__).resolve().parents[2]
WEB_SCENARIO = '\nscenario "web" <\n  event ann fills_out_form "Contact Us"\n  expect ann last_touch = "web form"\n>\n'


@pytest.fixture
def project(tmp_path) -> pathlib.Path:
    root = pathlib.Path(shutil.copytree(ROOT / "examples" / "project", tmp_path / "project"))
    (root / "web.mkc").write_text((root / "web.mkc").read_text() + WEB_SCENARIO)
    return root


def at(root: pathlib.Path, name: str, needle: str, offset: int = 0):
    """The analysis of `name`'s project and the place `offset` characters into `needle` there."""
    path = root / name
    text = path.read_text()
    i = text.index(needle) + offset
    prog = analyse(str(path), {})
    return prog, prog.place_at(real(str(path)), text.count("\n", 0, i) + 1, i - (text.rfind("\n", 0, i) + 1) + 1)


def named(prog, places) -> list[tuple[str, str]]:
    """Each place as (file, the text of its name span)."""
    out = []
    for p in places:
        s = prog.name_span(p)
        line = prog.text(real(s.file)).split("\n")[s.line - 1]
        assert s.line == s.end_line
        out.append((pathlib.Path(s.file).name, line[s.column - 1 : s.end_column - 1]))
    return out


def test_a_person_from_a_scenario_in_another_file(project):
    prog, place = at(project, "web.mkc", "event ann", 7)
    assert (place.kind, place.target) == ("person", "ann")
    (decl,) = [p for p in prog.same(place) if p.declaration]
    assert pathlib.Path(decl.span.file).name == "scenarios.mkc"
    assert named(prog, [decl]) == [("scenarios.mkc", "ann")]
    s = prog.name_span(decl)
    assert (s.line, s.column) == (5, 10)  # `  person ann <`
    uses = [p for p in prog.same(place) if not p.declaration]
    assert sorted(named(prog, uses)) == [("scenarios.mkc", "ann")] * 5 + [("web.mkc", "ann")] * 2
    # On the keyword or the field of the command, it is not the person.
    assert at(project, "web.mkc", "event ann", 2)[1] is None
    assert at(project, "web.mkc", "expect ann last_touch", 12)[1].kind == "field"
    # The declaration's name finds the same.
    prog, place = at(project, "scenarios.mkc", "person bob", 8)
    assert (place.kind, place.target, place.declaration) == ("person", "bob", True)
    assert [p.what for p in prog.same(place) if not p.declaration] == [
        'run in scenario "attending the webinar makes an MQL"'
    ] + ['expect in scenario "attending the webinar makes an MQL"'] * 3 + [
        'expect activity in scenario "attending the webinar makes an MQL"'
    ]


def test_a_declared_field_from_its_uses_in_other_files(project):
    prog, place = at(project, "web.mkc", "expect ann last_touch", 13)
    assert (place.kind, place.target) == ("field", "last_touch")
    (decl,) = [p for p in prog.same(place) if p.declaration]
    assert named(prog, [decl]) == [("shared.mkc", "last_touch")]
    assert [p.what for p in prog.same(place) if p.declaration] == ["in fields: text"]
    uses = [p for p in prog.same(place) if not p.declaration]
    assert sorted(named(prog, uses)) == [
        ("scenarios.mkc", "last_touch"),
        ("scenarios.mkc", "last_touch"),
        ("shared.mkc", "last_touch"),
        ("web.mkc", "last_touch"),
    ]
    # A standard field has no declaration; a person's value is a use of it.
    prog, place = at(project, "scenarios.mkc", "lead_score 10", 3)
    assert (place.kind, place.target, place.declaration) == ("field", "lead_score", False)
    assert not [p for p in prog.same(place) if p.declaration]
    # A step's default field is not written: its use is the whole step.
    (default,) = [p for p in prog.same(place) if "(the default field)" in p.what]
    assert prog.name_span(default) is None


def test_people_and_fields_are_not_renamed(project):
    prog, place = at(project, "web.mkc", "event ann", 7)
    with pytest.raises(BadInput, match="not this person"):
        prog.rename(place, "anne")
