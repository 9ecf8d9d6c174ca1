"""lsp.program, in-process: the names renames touch, written as the language wants them."""

from __future__ import annotations

import pathlib

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
