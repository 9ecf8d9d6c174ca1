"""The parser accepts the whole language and builds the AST it should."""

import datetime as dt
import pathlib

import pytest

from mkc.grammar import ast, parse, parse_line, parser

ROOT = pathlib.Path(__file__).resolve().parents[2]
SPEC_EXAMPLES = sorted((ROOT / "tests" / "spec_examples").glob("*.mkc"))
EXAMPLES = sorted((ROOT / "examples").glob("*.mkc"))


def test_grammar_has_no_conflicts():
    # strict=True makes Lark reject shift/reduce conflicts and terminal collisions.
    parser(strict=True)


@pytest.mark.parametrize("path", SPEC_EXAMPLES + EXAMPLES, ids=lambda p: p.name)
def test_every_spec_example_and_example_file_parses(path):
    module = parse(path.read_text(), str(path))
    assert module.items


def only(text):
    (item,) = parse(text).items
    return item


def first_step(text):
    return only(f"campaign C <\n flow <\n  {text}\n >\n>").flow.steps[0]


def test_one_line_file_is_complete():
    c = only("campaign Score executable < flow < change_score <<my.score>> > >")
    assert c == ast.Campaign(
        "Score", "executable", None, flow=ast.Flow((ast.Step("change_score", (ast.Token("my", "score"),), ()),))
    )


def test_spans_are_positions_and_not_part_of_equality():
    a = parse("campaign A < flow < do_nothing > >", "a.mkc").items[0]
    b = parse("\n\ncampaign   A <\n flow < do_nothing >\n>", "b.mkc").items[0]
    assert a == b
    assert (a.span.line, a.span.column) == (1, 1)
    assert (b.span.file, b.span.line) == ("b.mkc", 3)
    assert b.flow.steps[0].span.line == 4


@pytest.mark.parametrize(
    "text, value",
    [
        ('"a \\"b\\" \\\\ \\n"', ast.Str('a "b" \\ \n')),
        ("42", ast.Num(42)),
        ("-5", ast.Num(-5)),
        ("3.5", ast.Num(3.5)),
        ("+10", ast.ScoreChange("+", 10)),
        ("3 days", ast.Duration(3, "day")),
        ("1 hour", ast.Duration(1, "hour")),
        ("2 months", ast.Duration(2, "month")),
        ("09:00", ast.TimeOfDay(9, 0)),
        ("2026-01-05", ast.DateTime(dt.datetime(2026, 1, 5), False)),
        ("2026-01-05T09:30", ast.DateTime(dt.datetime(2026, 1, 5, 9, 30), True)),
        ("<<lead.first_name:default=there>>", ast.Token("lead", "first_name", "there")),
        ("<<my.Webinar Date>>", ast.Token("my", "Webinar Date")),
        ('["NL", "BE"]', ast.ListValue((ast.Str("NL"), ast.Str("BE")))),
        ("[]", ast.ListValue(())),
        ("true", ast.Bool(True)),
        ("false", ast.Bool(False)),
        ("null", ast.Null()),
        ("Score", ast.Ref(("Score",))),
        ("Scoring.Score", ast.Ref(("Scoring", "Score"))),
        ('"Web Leads"."Score"', ast.Ref(("Web Leads", "Score"))),
    ],
)
def test_literals(text, value):
    assert first_step(f"x {text}").args == (value,)


@pytest.mark.parametrize(
    "text, change",
    [
        ("=0", ast.ScoreChange("=", 0)),
        ("=-3", ast.ScoreChange("=", -3)),
        ("+5", ast.ScoreChange("+", 5)),
        ("-5", ast.Num(-5)),
    ],
)
def test_score_changes(text, change):
    assert first_step(f"change_score {text} field=behavior_score").args == (change,)


def test_keyword_arguments_allow_spaces_around_equals():
    step = first_step("execute_campaign Score use_parent_token_context = true")
    assert step.args == (ast.Ref(("Score",)),)
    assert step.kwargs == (ast.KwArg("use_parent_token_context", ast.Bool(True)),)


def test_wait_with_weekdays_and_time():
    step = first_step("wait 48 hours weekdays=[mon, tue, wed, thu, fri] at=09:00")
    assert step.args == (ast.Duration(48, "hour"),)
    days = step.kwargs[0].value.items
    assert [d.name for d in days] == ["mon", "tue", "wed", "thu", "fri"]
    assert step.kwargs[1] == ast.KwArg("at", ast.TimeOfDay(9, 0))


def test_newline_ends_a_steps_arguments():
    c = only("campaign C <\n flow <\n  execute_campaign A\n  execute_campaign B\n >\n>")
    assert [s.args for s in c.flow.steps] == [(ast.Ref(("A",)),), (ast.Ref(("B",)),)]


def test_semicolons_separate_items():
    c = only('campaign C < flow < add_to_list "A"; send_email "Hi" > >')
    assert [s.name for s in c.flow.steps] == ["add_to_list", "send_email"]


@pytest.mark.parametrize("closing", ["> >", ">>", ">\n>"])
def test_token_followed_by_block_closers(closing):
    c = only(f"campaign C < flow < change_score <<my.score>> {closing}")
    assert c.flow.steps[0].args == (ast.Token("my", "score"),)


def test_less_than_before_a_token():
    c = only("campaign C < flow < choice < when lead_score < <<my.t>> < do_nothing > > > >")
    cond = c.flow.steps[0].whens[0].cond
    assert cond == ast.FieldCond("lead_score", "<", (ast.Token("my", "t"),))


def test_double_angle_that_is_not_a_token_is_two_angles():
    # `<<` not followed by scope.name>> lexes as two `<` (here: one too many).
    from mkc.diagnostics import DiagnosticError

    with pytest.raises(DiagnosticError) as err:
        parse("campaign C << flow < do_nothing > >")
    (diag,) = err.value.diagnostics
    assert diag.code == "syntax" and (diag.span.line, diag.span.column) == (1, 13)


def test_comparison_operators_are_not_blocks():
    c = only("campaign C < smart_list < filter lead_score > 10; filter lead_score < 20 > >")
    assert [f.cond.op for f in c.smart_list.filters] == [">", "<"]


def test_smart_list_conditions_and_logic():
    c = only(
        """campaign C <
  smart_list <
    trigger data_value_changes lead_status to="MQL"
    filter lead_score >= 10
    filter country in ["NL", "BE"]
    filter not member_of_smart_list "Qualified"
    filter created_at between 2026-01-01 and 2026-02-01
    filter email is_empty
    filter last_visit in_past 3 days
    logic "1 and (2 or 3)"
  >
>"""
    )
    sl = c.smart_list
    assert sl.triggers == (
        ast.Trigger("data_value_changes", (ast.Ref(("lead_status",)),), (ast.KwArg("to", ast.Str("MQL")),)),
    )
    conds = [f.cond for f in sl.filters]
    assert conds[0] == ast.FieldCond("lead_score", ">=", (ast.Num(10),))
    assert conds[1].op == "in"
    assert conds[2] == ast.Not(ast.FuncCond("member_of_smart_list", (ast.Str("Qualified"),), ()))
    assert conds[3].op == "between" and len(conds[3].operands) == 2
    assert conds[4] == ast.FieldCond("email", "is_empty", ())
    assert conds[5].operands == (ast.Duration(3, "day"),)
    assert sl.logic == ast.Logic("1 and (2 or 3)")


def test_when_conditions_combine_with_and_or_not():
    c = only('campaign C < flow < choice <\n when a between 1 and 5 and not (b = "x" or c != 2) < do_nothing >\n > > >')
    cond = c.flow.steps[0].whens[0].cond
    assert isinstance(cond, ast.And)
    assert cond.left.op == "between"
    assert isinstance(cond.right, ast.Not) and isinstance(cond.right.cond, ast.Or)


def test_choice_with_default():
    c = only('campaign C < flow < choice <\n when x = 1 < add_to_list "A" >\n default < do_nothing >\n > > >')
    choice = c.flow.steps[0]
    assert len(choice.whens) == 1 and choice.default == ast.Step("do_nothing", (), ())


def test_campaign_header_and_parts():
    c = only(
        """campaign "Weekly Digest" batch clone_of Base.Digest <
  description "weekly"
  qualification once_every 7 days
  schedule at 2026-01-05T09:00 every 1 week until 2026-03-01
  active false
>"""
    )
    assert (c.name, c.kind, c.clone_of) == ("Weekly Digest", "batch", ast.Ref(("Base", "Digest")))
    assert c.qualification == ast.Qualification("once_every", ast.Duration(7, "day"))
    assert c.schedule.every == ast.Duration(1, "week")
    assert c.schedule.until.value == dt.datetime(2026, 3, 1)
    assert c.active is False


def test_declarations():
    m = parse(
        """tokens < my.sender = "ops@example.com" >
workspace Europe <
  folder "Operational" <
    program Webinar <
      statuses ["Invited", "Registered", "Attended"]
      tokens < my.score = +0  my."Webinar Date" = 2026-03-01  my.reset = =0 >
      list "Newsletter"
      smart_list "Qualified" < filter lead_score >= 10 >
      email "Welcome" < subject "Hi <<lead.first_name:default=there>>" from "<<my.sender>>" >
      webhook "Sync CRM" < url "https://crm.example.com/?e=<<lead.email>>" method "POST" >
    >
  >
>"""
    )
    tokens, ws = m.items
    assert tokens.decls[0] == ast.TokenDecl("my", "sender", ast.Str("ops@example.com"))
    program = ws.items[0].items[0]
    statuses, toks, lst, sl, email, hook = program.items
    assert statuses.names == ("Invited", "Registered", "Attended")
    assert [d.name for d in toks.decls] == ["score", "Webinar Date", "reset"]
    assert toks.decls[2].value == ast.ScoreChange("=", 0)
    assert lst == ast.ListAsset("Newsletter")
    assert sl.name == "Qualified" and sl.body.filters
    assert email.prop("subject") == ast.Str("Hi <<lead.first_name:default=there>>")
    assert hook.prop("method") == ast.Str("POST")


def test_people_and_scenario_commands():
    m = parse((ROOT / "tests" / "spec_examples" / "scenario.mkc").read_text())
    people, scenario = m.items
    assert [p.handle for p in people.persons] == ["ann", "bob"]
    assert people.persons[0].fields[0] == ast.FieldValue("email", ast.Str("ann@example.com"))
    kinds = [type(c).__name__ for c in scenario.commands]
    assert kinds == [
        "At",
        "Run",
        "Request",
        "ScheduleRun",
        "Event",
        "Set",
        "Deactivate",
        "Advance",
        "Expect",
        "Expect",
        "ExpectActivity",
        "ExpectActivity",
        "ExpectActivity",
    ]
    request = scenario.commands[2]
    assert request.people == ("ann", "bob") and request.tokens.decls[0].value == ast.ScoreChange("+", 3)
    last = scenario.commands[-1]
    assert last.negated and last.activity == "Send Email"


def test_keywords_are_contextual():
    # `email` is an asset keyword at the top level but a field name in a person.
    m = parse('people < person ann < email "a@x" list "L" > >\ncampaign schedule < flow < do_nothing > >')
    assert m.items[0].persons[0].fields[1].field == "list"
    assert m.items[1].name == "schedule"


def test_quoted_names_can_be_keywords():
    c = only('campaign "not" < flow < execute_campaign "in" > >')
    assert c.name == "not" and c.flow.steps[0].args == (ast.Str("in"),)


@pytest.mark.parametrize(
    "line, kind",
    [
        ('send_email "Hi"', ast.Step),
        ("run Score for ann", ast.Run),
        ("campaign A < flow < do_nothing > >", ast.Campaign),
        ("expect ann lead_score = 3", ast.Expect),
    ],
)
def test_repl_line(line, kind):
    assert isinstance(parse_line(line), kind)
