"""`mkc refs`: every use of a name, and a My Token's value in each calling context."""

import pytest
from insight_helpers import ROOT, load, load_file, mkc

from mkc.insight import refs
from mkc.interpreter import run_scenario


def section(model, name, title_start):
    found = [s for s in refs.find(model, name) if s.title.startswith(title_start)]
    assert len(found) == 1, [s.title for s in refs.find(model, name)]
    return found[0]


def where(places):
    return [(p.span.line, p.what) for p in places]


LEAD_SCORING = ROOT / "examples/lead_scoring.mkc"


def test_my_token_declarations_uses_and_values():
    model = load_file(LEAD_SCORING).model
    s = section(model, "my.score", "My Token my.score")
    assert where(s.declared) == [
        (9, "program Scoring: +0"),
        (24, "program Webinar Attended: +30"),
        (33, "program Newsletter Click: +5"),
        (42, "program Decay: -10"),
    ]
    assert where(s.uses) == [(13, "change_score in Scoring.Score")]
    assert s.values == [
        (
            "Scoring.Score",
            [
                (
                    "Webinar Attended.Scored > Scoring.Score (parent context)",
                    "+30 (passed down from Webinar Attended.Scored, declared in program Webinar Attended)",
                ),
                (
                    "Newsletter Click.Scored > Scoring.Score (parent context)",
                    "+5 (passed down from Newsletter Click.Scored, declared in program Newsletter Click)",
                ),
                (
                    "Decay.Monthly > Scoring.Score (parent context)",
                    "-10 (passed down from Decay.Monthly, declared in program Decay)",
                ),
            ],
        )
    ]
    # NAME alone finds the same token
    assert section(model, "score", "My Token").values == s.values


def test_token_values_agree_with_the_interpreter():
    model = load_file(LEAD_SCORING).model
    predicted = {
        ctx.split(" > ")[0]: value.split(" ")[0] for ctx, value in section(model, "my.score", "My Token").values[0][1]
    }
    result = run_scenario(model, "each program scores with its own token")
    seen = {
        str(a.via[0]): a.attributes["change"]
        for a in result.activities
        if a.type == "Change Score" and a.flow == "Scoring.Score"
    }
    assert seen == {k: v for k, v in predicted.items() if k in seen}
    assert seen == {"Webinar Attended.Scored": "+30", "Newsletter Click.Scored": "+5"}


def test_campaign_uses_include_scenarios_and_expects():
    model = load_file(LEAD_SCORING).model
    s = section(model, "Scoring.Score", "campaign Scoring.Score")
    assert where(s.declared) == [(10, "executable campaign in program Scoring")]
    assert [p.what for p in s.uses] == [
        "execute_campaign in Webinar Attended.Scored (use_parent_token_context=true)",
        "execute_campaign in Newsletter Click.Scored (use_parent_token_context=true)",
        "execute_campaign in Decay.Monthly (use_parent_token_context=true)",
        'expect activity in scenario "each program scores with its own token"',
    ]
    # the bare name finds it too; `Scored` names two campaigns, each its own section
    assert section(model, "Score", "campaign").title == "campaign Scoring.Score (executable)"
    assert [s.title for s in refs.find(model, "Scored")] == [
        "campaign Webinar Attended.Scored (trigger)",
        "campaign Newsletter Click.Scored (trigger)",
    ]


def test_same_name_in_two_workspaces_is_two_things():
    model = load_file(ROOT / "examples/workspaces.mkc").model
    emails = [s for s in refs.find(model, "Welcome") if s.title.startswith("email")]
    assert [(s.title, [p.what for p in s.uses]) for s in emails] == [
        ('email "Welcome" in workspace Europe', ["send_email in Netherlands.Welcome", "send_email in Belgium.Welcome"]),
        ('email "Welcome" in workspace Americas', ["send_email in Americas.Welcome"]),
    ]


def test_field_uses():
    model = load_file(LEAD_SCORING).model
    s = section(model, "lead_score", "person field lead_score")
    assert where(s.declared) == []  # a standard field: declared nowhere in the program
    assert where(s.uses)[:5] == [
        (13, "change_score in Scoring.Score (the default field)"),
        (15, "choice in Scoring.Score"),
        (15, "<<lead.lead_score>> in interesting_moment in Scoring.Score"),
        (44, "filter 1 of Decay.Monthly"),
        (51, "person ann"),  # a person's value uses the field
    ]
    assert refs.find(model, "lead.lead_score")[0].title == "person field lead_score"


def test_field_in_emails_steps_triggers_and_scenarios():
    model = load("""
email "Hi" < subject "Hi <<lead.first_name:default=you>>" from "a@example.com" >
campaign Greet < smart_list < trigger data_value_changes first_name >; flow < send_email "Hi" > >
campaign Name < flow < change_data_value first_name "Ann" > >
people < person ann < first_name "Ann" > >
scenario "s" < set ann first_name "Bo"; expect ann first_name = "Bo" >
""").model
    s = section(model, "first_name", "person field")
    assert [p.what for p in s.uses] == [
        '<<lead.first_name:default=you>> in subject of email "Hi"',
        "trigger in Default.Greet",
        "change_data_value in Default.Name",
        "person ann",
        'set in scenario "s"',
        'expect in scenario "s"',
    ]
    assert s.declared == []


def test_a_declared_field_is_declared_in_fields():
    loaded = load("""
fields < renewal_date date "Renewal Date" >
campaign Renew < smart_list < filter renewal_date in_past 30 days >; flow < change_data_value renewal_date null > >
people < person ann < email "a@example.com" renewal_date 2026-01-01 > >
scenario "s" < set ann renewal_date 2026-02-01; expect ann renewal_date = 2026-02-01 >
""")
    s = section(loaded.model, "renewal_date", "person field")
    assert where(s.declared) == [(2, "in fields: date")]
    assert [(p.span.line, p.span.column) for p in s.declared] == [(2, 10)]
    assert where(s.uses) == [
        (3, "filter 1 of Default.Renew"),
        (3, "change_data_value in Default.Renew"),
        (4, "person ann"),
        (5, 'set in scenario "s"'),
        (5, 'expect in scenario "s"'),
    ]
    # A use's place is where the field is written, not where its command or condition starts.
    set_use = s.uses[3]
    assert (set_use.span.column, set_use.span.end_column) == (24, 36)


PEOPLE = """
campaign Nurture < flow < change_data_value job_title "x" > >
campaign Welcome < smart_list < trigger fills_out_form "F" >; flow < send_email "Hi" > >
email "Hi" < subject "Hi" >
people <
  person ann < email "ann@example.com" >
  person "bob b" < email "bob@example.com" >
>
scenario "s" <
  run Nurture for ann "bob b"
  request Nurture for ann
  event ann fills_out_form "F"
  set ann lead_score 5
  expect ann lead_score = 5
  expect activity ann "Email Sent" email="Hi"
  expect no activity "bob b" "Email Sent"
  run Nurture
>
"""


def test_people_declared_and_used_in_scenarios():
    model = load(PEOPLE).model
    s = section(model, "ann", "person ann")
    assert where(s.declared) == [(6, "in people")]
    assert where(s.uses) == [
        (10, 'run in scenario "s"'),
        (11, 'request in scenario "s"'),
        (12, 'event in scenario "s"'),
        (13, 'set in scenario "s"'),
        (14, 'expect in scenario "s"'),
        (15, 'expect activity in scenario "s"'),
    ]
    bob = section(model, "bob b", "person bob b")
    assert where(bob.declared) == [(7, "in people")]
    assert where(bob.uses) == [(10, 'run in scenario "s"'), (16, 'expect no activity in scenario "s"')]
    # `run Nurture` without `for` names nobody; a prefix `my.` or `lead.` excludes people.
    assert refs.find(model, "lead.ann") == [] and refs.find(model, "my.ann") == []


def test_cli_person_and_suggestion():
    code, out, err = mkc("refs", "examples/lead_scoring.mkc", "bob")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].startswith("person bob: ") and lines[1:3] == [
        "  declared:",
        "    examples/lead_scoring.mkc:52:3  in people",
    ]
    code, out, err = mkc("refs", "examples/lead_scoring.mkc", "bbo")
    assert code == 1 and "field, person or My Token" in err and "`bob`" in err


CHAIN = """
tokens < my.tone = "root" >
program Top <
  tokens < my.tone = "top" >
  campaign Start < flow < execute_campaign Middle use_parent_token_context=true > >
  campaign Plain < flow < execute_campaign Leaf > >
>
program Mid <
  campaign Middle executable < flow < execute_campaign Leaf > >
>
program Low <
  tokens < my.tone = "low" >
  campaign Leaf executable < flow < change_data_value tone "<<my.tone>>" > >
  campaign Alone executable < flow < change_data_value tone "<<my.tone>>" > >
>
"""


def test_values_follow_chains_of_executables():
    model = load(CHAIN).model
    s = section(model, "my.tone", "My Token")
    assert s.values == [
        (
            "Low.Leaf",
            [
                ("Top.Start > Mid.Middle > Low.Leaf (own context)", '"low" (lexical, declared in program Low)'),
                ("Top.Plain > Low.Leaf (own context)", '"low" (lexical, declared in program Low)'),
            ],
        ),
        ("Low.Alone", [("no campaign executes it; its own context", '"low" (lexical, declared in program Low)')]),
    ]


def test_parent_context_falls_back_to_the_childs_own_chain():
    model = load("""
program P < campaign Start < flow < execute_campaign Child use_parent_token_context=true > > >
program C <
  tokens < my.x = "child" >
  campaign Child executable < flow < change_data_value x "<<my.x>> <<my.y>>" > >
>
tokens < my.y = "root" >
""").model
    assert section(model, "my.x", "My Token").values == [
        ("C.Child", [("P.Start > C.Child (parent context)", '"child" (lexical, declared in program C)')])
    ]
    assert section(model, "my.y", "My Token").values == [
        ("C.Child", [("P.Start > C.Child (parent context)", '"root" (passed down from P.Start, declared in root)')])
    ]


def test_api_overrides():
    model = load_file(ROOT / "examples/api_requests.mkc").model
    s = section(model, "my.days", "My Token")
    assert [p.what for p in s.declared] == [
        'program Trials: "14"',
        """API override in scenario "API tokens override the program's": "30\"""",
    ]
    assert s.values == [
        (
            "Trials.Trial Signup",
            [
                ("its own context", '"14" (lexical, declared in program Trials)'),
                (
                    """API request in scenario "API tokens override the program's" (line 46), its own context""",
                    '"30" (from the API)',
                ),
            ],
        )
    ]


def test_undefined_token_value():
    model = load('campaign A < flow < change_data_value x "<<my.nope>>" > >\n').model
    assert section(model, "my.nope", "My Token").values == [
        ("Default.A", [("its own context", "undefined: a Failed Step")])
    ]


def test_clone_copies_count_as_uses():
    model = load("""
list "L"
campaign Base < flow < add_to_list "L" > >
campaign Copy clone_of Base < >
""").model
    s = section(model, "L", "list")
    assert [p.what for p in s.uses] == [
        "add_to_list in Default.Base",
        "add_to_list in Default.Copy (copied by Default.Copy through clone_of)",
    ]
    assert [p.what for p in section(model, "Base", "campaign").uses] == ["clone_of in Default.Copy"]


def test_references_that_resolve_to_nothing():
    loaded = load('campaign A < flow < send_email "Gone"; execute_campaign Gone > >\n')
    s = section(loaded.model, "Gone", "references")
    assert [p.what for p in s.uses] == ["send_email in Default.A", "execute_campaign in Default.A"]


def test_render_text():
    model = load_file(ROOT / "examples/lifecycle.mkc").model
    assert refs.render(refs.find(model, "MQL Queue")).splitlines()[:4] == [
        'list "MQL Queue" in program Lifecycle: 4 uses',
        "  declared:",
        "    examples/lifecycle.mkc:14:3  in program Lifecycle",
        "  used:",
    ]


def test_cli():
    code, out, err = mkc("refs", "examples/nested_executables.mkc", "my.region")
    assert code == 0 and err == ""
    assert (
        "      Onboarding.Start > Shared.Level1 > Shared.Level2 > Shared.Level3 (parent context): "
        '"EMEA" (passed down from Onboarding.Start, declared in program Onboarding)'
    ) in out.splitlines()


def test_cli_nothing_found_exits_1_with_a_suggestion():
    code, out, err = mkc("refs", "examples/api_requests.mkc", "bonuss")
    assert code == 1 and out == ""
    assert "nothing is named `bonuss`" in err and "`bonus`" in err


@pytest.mark.parametrize("args", [("refs",), ("refs", "examples/api_requests.mkc")])
def test_cli_missing_arguments_exit_2(args):
    code, out, err = mkc(*args)
    assert code == 2 and "Traceback" not in err


def test_every_example_every_declared_name(example):
    """No crash on any name an example declares, and every section has a title and a count."""
    model = load_file(example).model
    names = {c.name for c in model.campaigns} | {f"my.{t}" for s in model.all_scopes for t in s.tokens}
    for name in sorted(names):
        text = refs.render(refs.find(model, name))
        assert text and ": " in text.splitlines()[0]
