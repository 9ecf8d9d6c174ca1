"""The one unparser (grammar/unparse.py): whatever parses, written back in the
canonical layout, parses to the same tree, keeps every comment in order, and
writing it again changes nothing."""

from __future__ import annotations

import pathlib
import random

import pytest
from fuzz.generate import programs
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from mkc.diagnostics import DiagnosticError
from mkc.grammar import ast, parse
from mkc.grammar.unparse import WIDTH, comments, cond, unparse, value

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = sorted(
    p for pattern in ("examples/**/*.mkc", "tests/**/*.mkc") for p in ROOT.glob(pattern) if ".venv" not in p.parts
)


def assert_round_trip(text: str, name: str = "t.mkc") -> str:
    module = parse(text, name)
    out = unparse(module, text)
    again = parse(out, name)
    assert again == module, out
    assert unparse(again, out) == out, "formatting twice changed the text"
    assert [c.text for c in comments(out)] == [c.text for c in comments(text)], "a comment was lost or moved"
    return out


def _parses(path: pathlib.Path) -> bool:
    try:
        parse(path.read_text(encoding="utf-8-sig"), str(path))
    except DiagnosticError:
        return False
    return True


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_example_and_fixture(path):
    if not _parses(path):
        pytest.skip("meant to have syntax errors")
    assert_round_trip(path.read_text(encoding="utf-8-sig"), str(path))


def test_the_fixtures_are_found_and_most_parse():
    assert len(FIXTURES) > 50
    assert sum(_parses(p) for p in FIXTURES) >= len(FIXTURES) - 5


def _with_comments(text: str, rng: random.Random) -> str:
    """`text` with comments after some lines and on lines of their own between others."""
    out = []
    for i, line in enumerate(text.splitlines()):
        if rng.random() < 0.2:
            out.append(f"{' ' * rng.randrange(4)}# own {i}")
        out.append(line + (f'  # end {i} <not a block> "q"' if rng.random() < 0.3 else ""))
    return "\n".join(out) + "\n"


@settings(max_examples=60, deadline=None, phases=[Phase.generate], suppress_health_check=[HealthCheck.too_slow])
@given(text=programs(), seed=st.integers(0, 2**32))
def test_generated_programs_round_trip(text, seed):
    try:
        parse(text, "gen.mkc")
    except DiagnosticError:
        return  # the generator's deliberate slips; nothing to format
    assert_round_trip(text, "gen.mkc")
    assert_round_trip(_with_comments(text, random.Random(seed)), "gen.mkc")


def test_the_layout():
    text = (
        'program P < tokens < my.a = 1; my.b = "x" >; campaign C < smart_list < filter email contains "@x" >\n'
        'flow < wait 1 day; send_email "Hi" > > >\n'
        'people < person ann < email "a@x" score 10 > >\n'
    )
    assert assert_round_trip(text) == (
        "program P <\n"
        "  tokens <\n"
        "    my.a = 1\n"
        '    my.b = "x"\n'
        "  >\n"
        "  campaign C <\n"
        '    smart_list < filter email contains "@x" >\n'
        "    flow <\n"
        "      wait 1 day\n"
        '      send_email "Hi"\n'
        "    >\n"
        "  >\n"
        ">\n"
        "people <\n"
        '  person ann < email "a@x" score 10 >\n'
        ">\n"
    )


def test_a_one_line_block_that_does_not_fit_opens():
    long = "x" * WIDTH
    out = assert_round_trip(f'people < person ann < first_name "{long}" >; person bob < email "b" > >\n')
    assert out.splitlines()[1:4] == ["  person ann <", f'    first_name "{long}"', "  >"]
    assert out.splitlines()[4] == '  person bob < email "b" >'


def test_comments_stay_where_they_were():
    text = (
        "# header\n\n"
        "program X <  # opens\n"
        "  # before the tokens\n"
        "  tokens < my.a = 1 >  # after them\n\n\n"
        "  campaign C <\n"
        '    description "d"  # described\n'
        "    flow <\n"
        "      wait 1 day  # waits\n"
        "      # the flow's last word\n"
        "    >\n"
        "  >\n"
        ">  # closes\n"
        "# the end\n"
    )
    assert assert_round_trip(text) == text.replace("\n\n\n", "\n\n")


def test_a_comment_inside_a_one_line_block_opens_it():
    out = assert_round_trip('people < person ann < country "NL"  # mail\n score 1 > >\n')
    assert out == 'people <\n  person ann <\n    country "NL"  # mail\n    score 1\n  >\n>\n'


def test_hash_inside_strings_and_tokens_is_no_comment():
    assert [c.text for c in comments('email "E" < subject "#1 <<my.a#b>>" >  # real\n')] == ["# real"]


def test_names_are_quoted_where_they_would_read_as_keywords():
    assert_round_trip('people < person "no" < "email" "a" > >\nscenario s < expect "no" "not" = 1 >\n')
    out = assert_round_trip('people < person ann < "email" "a" "flow" "b" x "' + "y" * WIDTH + '" > >\n')
    assert '    email "a"' in out  # a field named like a keyword, opening a line of a person: still a field
    assert 'person ann < email "a" >' in assert_round_trip('people < person ann < "email" "a" > >\n')


def test_conditions_keep_their_grouping():
    for text in (
        "a = 1 and (b = 2 and c = 3)",
        "a = 1 or (b = 2 or c = 3)",
        "not (a = 1 or b = 2) and c = 1",
        "(a = 1 and b = 2) or c = 3",
        "not not a = 1",
        "x between 1 and 5 and y = 2",
    ):
        module = parse(f"scenario s < expect ann {text} >\n")
        assert cond(module.items[0].commands[0].cond) == text


def test_a_filter_of_and_or_is_parenthesised():
    out = assert_round_trip("campaign C < smart_list < filter (a = 1 and b = 2); filter not (c = 1 or d = 2) > >\n")
    assert "filter (a = 1 and b = 2)" in out and "filter not (c = 1 or d = 2)" in out


def test_a_condition_ending_bare_before_a_block_edge_is_parenthesised():
    # After a bare name, `<` and `>` compare: `when is_vip <` would be a comparison.
    text = (
        "campaign C <\n  smart_list <\n    filter is_vip\n    filter not is_vip\n  >\n"
        '  flow <\n    choice <\n      when (a = 1 and is_vip) < send_email "x" >\n'
        '      when (is_vip) < add_to_list "L" >\n    >\n  >\n>\n'
    )
    out = assert_round_trip(text)
    assert "filter (is_vip)" in out and "filter (not is_vip)" in out
    assert "when (a = 1 and is_vip) <" in out and "when (is_vip) <" in out
    assert_round_trip('campaign C < flow < change_data_value contains="x" field=lead_status > >\n')


def test_values():
    assert value(ast.Num(1.5e-07)) == "0.00000015"
    assert value(ast.Ref(("Web Leads", "Score"))) == '"Web Leads".Score'
    assert value(ast.Ref(("true", "x"))) == '"true".x'
    assert value(ast.Str('say "hi"\n')) == '"say \\"hi\\"\\n"'
    assert value(ast.ScoreChange("=", -5)) == "=-5"


def test_lines_are_counted_as_the_lexer_counts_them():
    # A form feed inside a string is no line break for the lexer.
    text = 'email "E" < subject "a\x0cb" >\nlist "L"\n  # own line\nlist "M"\n'
    assert assert_round_trip(text) == text.replace("  # own", "# own")
