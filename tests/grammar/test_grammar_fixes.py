"""What contributors tripped on: a condition with no arguments, a keyword
argument named like an operator, and the hint about a `when`'s `<`."""

from __future__ import annotations

import pytest

from mkc.checker import check
from mkc.diagnostics import DiagnosticError
from mkc.grammar import ast, parse
from mkc.stdlib import FIELD_OPS

# every operator that is a word, the standard library's and the logic's
OPERATOR_WORDS = [op for op in FIELD_OPS if op.isidentifier()] + ["and", "or", "not"]


def campaign(body: str) -> ast.Campaign:
    (c,) = parse(f"campaign C <\n{body}\n>\n", "t.mkc").items
    return c


def hint(text: str) -> tuple[str, str]:
    with pytest.raises(DiagnosticError) as err:
        parse(text, "t.mkc")
    (diag,) = err.value.diagnostics
    return diag.message, diag.hints[0] if diag.hints else ""


# ---- a condition with no arguments ----------------------------------------------------


def test_a_condition_with_no_arguments_parses_where_conditions_stand():
    c = campaign(
        "  smart_list <\n    filter is_vip\n    filter not is_vip\n  >\n"
        "  flow < choice < when (is_vip) < do_nothing >\n  when lead_score = 1 and (is_vip) < do_nothing > > >"
    )
    bare = ast.FuncCond("is_vip", (), ())
    assert c.smart_list.filters[0].cond == bare
    assert c.smart_list.filters[1].cond == ast.Not(bare)
    assert c.flow.steps[0].whens[0].cond == bare
    (scenario,) = parse('scenario "s" <\n  expect ann is_vip\n>\n').items
    assert scenario.commands[0].cond == bare


def test_a_condition_with_no_arguments_is_the_checkers_to_judge():
    module = parse("campaign C <\n  smart_list < filter (is_vip) >\n  flow < do_nothing >\n>\n", "t.mkc")
    _, diags = check(module)
    assert [(d.code, d.message) for d in diags] == [("unknown-condition", "there is no condition `is_vip`")]


def test_a_name_before_a_less_than_still_compares():
    c = campaign("  flow < choice < when lead_score < 10 < do_nothing > > >")
    assert c.flow.steps[0].whens[0].cond == ast.FieldCond("lead_score", "<", (ast.Num(10),))


# ---- keyword arguments named like operators ---------------------------------------------


@pytest.mark.parametrize("word", OPERATOR_WORDS)
def test_a_keyword_argument_may_be_named_like_an_operator(word):
    kw = ast.KwArg(word, ast.Str("x"))
    c = campaign(
        f'  smart_list <\n    filter member_of_program {word}="x"\n    filter member_of_program "P" {word} = "x"\n  >\n'
        f'  flow <\n    choice < when member_of_program {word}="x" < send_alert {word}="x" > >\n'
        f'    send_alert "E" {word}="x"\n  >'
    )
    first, second = (f.cond for f in c.smart_list.filters)
    assert first == ast.FuncCond("member_of_program", (), (kw,))
    assert second == ast.FuncCond("member_of_program", (ast.Str("P"),), (kw,))
    choice, step = c.flow.steps
    assert choice.whens[0].cond == first and choice.whens[0].step.kwargs == (kw,)
    assert step.kwargs == (kw,)
    (scenario,) = parse(
        f'scenario "s" <\n  expect bob member_of_program {word}="x"\n  event bob data_value_changes {word}="x"\n'
        f'  expect activity bob "Send Alert" {word}="x"\n>\n'
    ).items
    expect, event, activity = scenario.commands
    assert expect.cond == first and event.kwargs == (kw,) and activity.kwargs == (kw,)


@pytest.mark.parametrize("word", [w for w in OPERATOR_WORDS if w != "not"])  # `expect ann not …` negates
def test_a_field_named_like_an_operator_is_still_compared_with_equals(word):
    (scenario,) = parse(f'scenario "s" <\n  set ann {word} =5\n  expect ann {word} = "yes"\n>\n').items
    set_, expect = scenario.commands
    assert (set_.field, set_.value) == (word, ast.ScoreChange("=", 5))
    assert expect.cond == ast.FieldCond(word, "=", (ast.Str("yes"),))


def test_operators_and_names_that_start_like_them_are_read_as_before():
    c = campaign(
        '  smart_list <\n    filter android = 1\n    filter order contains "x"\n    filter x not_in ["a"]\n  >'
    )
    assert [(f.cond.field, f.cond.op) for f in c.smart_list.filters] == [
        ("android", "="),
        ("order", "contains"),
        ("x", "not_in"),
    ]


# ---- the hint about a `when`'s `<` ----------------------------------------------------------

PARENS = "a condition with no arguments goes in parentheses before a `<`: `when (is_vip) < … >`"


@pytest.mark.parametrize(
    "when",
    [
        "when is_vip\n      < do_nothing >",  # the `<` on the next line
        "when not is_vip\n      < do_nothing >",
        "when lead_score = 1 and is_vip\n      < do_nothing >",
        "when is_vip < do_nothing >",  # `is_vip < do_nothing` compares
        "when is_vip < change_score +1 >",
        'when lead_score = 1 or is_vip < add_to_list "L" >',
    ],
)
def test_a_bare_condition_before_a_when_block_is_told_to_use_parentheses(when):
    _, said = hint(f"campaign C <\n  flow <\n    choice <\n      {when}\n    >\n  >\n>\n")
    assert said.startswith(PARENS)


@pytest.mark.parametrize("when", ["when lead_score > 1", "when (is_vip)", "when lead_score = 1 and (is_vip)"])
def test_a_when_whose_block_starts_on_the_next_line_is_told_so(when):
    text = f"campaign C <\n  flow <\n    choice <\n      {when}\n      < do_nothing >\n    >\n  >\n>\n"
    assert hint(text) == (
        "unexpected end of line; expected `<` or `or`",
        "the `<` that opens a block stays on the line of its header",
    )


@pytest.mark.parametrize("filter_", ["filter is_vip", "filter not is_vip"])
def test_a_bare_condition_before_a_smart_lists_closing_sign_is_told_to_use_parentheses(filter_):
    message, said = hint(f"campaign C <\n  smart_list < {filter_} >\n>\n")
    assert message == "unexpected end of line; expected a value"
    assert said == (
        "a condition with no arguments goes in parentheses before a `>`: `filter (is_vip) >` "
        "(after a bare name, `>` compares)"
    )


def test_comparisons_keep_their_hints():
    # a `<` that compares, a `>` left without its value: nothing about bare conditions
    assert hint("campaign C <\n  smart_list < filter lead_score < >\n>\n")[1] == ""
    assert hint("campaign C <\n  flow < choice < when (lead_score < 3 < do_nothing > > >\n>\n")[1] == ""


def test_a_when_without_its_block_before_a_named_thing_is_a_diagnostic_not_a_crash():
    # A bare string condition, then a line starting with a name: the hint looked for a span the name keeps packed.
    text = 'campaign M <\n  flow <\n    choice <\n      when "N"\ncampaign C < do_nothing >\n    >\n  >\n>\n'
    with pytest.raises(DiagnosticError) as err:
        parse(text, "t.mkc")
    assert err.value.diagnostics and all(d.span is not None for d in err.value.diagnostics)


def test_a_when_whose_field_meets_parentheses_is_a_diagnostic_not_a_crash():
    # Found by the fuzz campaign: the hint looked for the span of a token the parser had not reduced.
    text = 'campaign C <\n  flow <\n    choice <\n      when country ((( "NL" < change_score +5 >\n    >\n  >\n>\n'
    with pytest.raises(DiagnosticError) as err:
        parse(text, "t.mkc")
    (d,) = err.value.diagnostics
    assert d.code == "syntax" and (d.span.line, d.span.column) == (4, 20)


def test_a_field_named_like_a_keyword_opens_a_line_of_a_person_or_fields_block():
    # A shared separator rule let LALR merge every block's state after a new
    # line, so the lexer read `email` or `list` there as the keyword.
    module = parse('people <\n  person ann <\n    lead_score 5\n    email "a@x.com"; list "x"\n  >\n>\n', "t.mkc")
    (people,) = module.items
    assert [f.field for f in people.persons[0].fields] == ["lead_score", "email", "list"]
    module = parse("fields <\n  list text\n  email text\n>\n", "t.mkc")
    assert [d.name for d in module.items[0].decls] == ["list", "email"]
