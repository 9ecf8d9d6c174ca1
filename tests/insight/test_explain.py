"""`mkc explain`: every answer is the interpreter's, so explain agrees with what a run does."""

import pytest
from insight_helpers import ROOT, load, load_file, mkc

from mkc.grammar import ast
from mkc.insight import explain as ex
from mkc.interpreter.scenario import run_command


def explained(text, campaign, person, scenario=None, at=None):
    model = load(text).model
    moment = ex.moment(model, scenario, at)
    c = next(c for c in model.campaigns if campaign in (c.name, c.full_name))
    return ex.explain(moment, c, person), moment


def worlds(path):
    """(model, scenario or None) for the declared people and after each scenario."""
    model = load_file(path).model
    return [(model, s) for s in [None, *(s.name for s in model.scenarios)]]


def test_batch_verdicts_agree_with_a_run(example):
    """For every batch campaign and person, at the start and after every
    scenario: explain says a run would take them through the flow exactly
    when a run does."""
    for model, scenario in worlds(example):
        for c in [c for c in model.campaigns if c.kind == "batch"]:
            for person in [p.handle for p in model.people]:
                moment = ex.moment(model, scenario)
                if person not in moment.interp.people:
                    continue
                e = ex.explain(moment, c, person)
                entered = moment.interp.engine.batch_run(c, [person])
                assert (person in entered) == (e.qualifies and e.may_enter), (scenario, c.full_name, person)
                assert e.verdict.startswith(f"A run of {c.full_name} now would " + ("" if entered else "not "))


def test_form_trigger_verdicts_agree_with_an_event(example):
    """For every trigger campaign listening for a form, after every scenario:
    explain says the next form fill starts the flow exactly when it does."""
    for model, scenario in worlds(example):
        for c in [c for c in model.campaigns if c.kind == "trigger"]:
            forms = [t for t in c.triggers if t.name == "fills_out_form"]
            for person in [p.handle for p in model.people] if forms else []:
                moment = ex.moment(model, scenario)
                if person not in moment.interp.people:
                    continue
                e = ex.explain(moment, c, person)
                rt = moment.interp.runtime
                before = len(rt.history.get((rt.keys(c), person), []))
                run_command(moment.interp.engine, ast.Event(person, "fills_out_form", forms[0].args, ()))
                started = len(rt.history.get((rt.keys(c), person), [])) > before
                assert started == (e.qualifies and e.may_enter and e.active), (scenario, c.full_name, person)


def test_executed_children_agree_with_the_log():
    model = load_file(ROOT / "examples/nested_executables.mkc").model
    for person, level3 in (("ann", True), ("bob", False)):
        moment = ex.moment(model, None)
        start = next(c for c in model.campaigns if c.name == "Start")
        e = ex.explain(moment, start, person)
        child = e.calls[0].child.calls[0].child.calls[0].child
        assert child.campaign.name == "Level3" and (child.qualifies and child.may_enter) is level3
        moment.interp.engine.batch_run(start, [person])
        moment.interp.engine.run_due(None)
        logged = [a for a in moment.interp.log if a.type == "Executed Campaign" and a.target[-1] == "Level3"]
        assert [a.attributes["qualified"] for a in logged] == [level3]
        assert child.tokens[0].value == '"EMEA"'
        assert child.tokens[0].origin == "passed down from Onboarding.Start, declared in program Onboarding"


LOGIC = """
tokens < my.min = 10 >
list "VIP"
campaign Pick <
  smart_list <
    filter lead_score >= <<my.min>>
    filter country in ["NL", "BE"]
    filter member_of_list "VIP"
    logic "1 and (2 or 3)"
  >
  flow < do_nothing >
>
people < person ann < lead_score 20 country "DE" > >
"""


def test_filters_values_and_logic():
    e, moment = explained(LOGIC, "Pick", "ann")
    assert [(f.number, f.condition, f.result, f.found) for f in e.filters] == [
        (1, "lead_score >= <<my.min>>", True, "lead_score is 20, <<my.min>> is 10"),
        (2, 'country in ["NL", "BE"]', False, 'country is "DE"'),
        (3, 'member_of_list "VIP"', False, 'member_of_list "VIP" is false'),
    ]
    assert e.logic == "1 and (2 or 3) = true and (false or false) = false"
    assert e.verdict == (
        "A run of Default.Pick now would not take ann through its flow: the logic fails: "
        'filter 2 (country in ["NL", "BE"]) fails, filter 3 (member_of_list "VIP") fails.'
    )
    text = ex.render(e, moment)
    assert text.splitlines()[0] == "explain Default.Pick for ann at 2026-01-01T00:00, the declared people"
    assert '    2  country in ["NL", "BE"]   false  country is "DE"' in text.splitlines()


def test_default_logic_and_empty_fields():
    e, _ = explained(
        """
campaign A < smart_list < filter country = "NL"; filter lead_score > 5 >; flow < do_nothing > >
people < person bo < country "nl" > >
""",
        "A",
        "bo",
    )
    assert e.logic == "all (the default): 1 and 2 = true and false = false"
    assert e.filters[1].found == "lead_score is empty"


def test_qualification_once_after_a_run():
    text = """
campaign Tag < flow < change_data_value tagged "yes" > >
people < person ann < email "a@example.com" > >
scenario "tag" < at 2026-03-01T09:00; run Tag >
"""
    e, _ = explained(text, "Tag", "ann", scenario="tag")
    assert e.rule == "once (the default)" and e.runs[-1].isoformat() == "2026-03-01T09:00:00" and not e.may_enter
    assert e.verdict.endswith(
        "the qualification rule (once (the default)) does not let them run again after 2026-03-01T09:00."
    )


def test_once_every_counts_from_the_last_run():
    path = ROOT / "examples/lead_scoring.mkc"
    model = load_file(path).model
    monthly = next(c for c in model.campaigns if c.full_name == "Decay.Monthly")
    moment = ex.moment(model, "monthly decay runs once every 30 days")
    e = ex.explain(moment, monthly, "ann")
    assert e.rule == "once_every 30 days" and len(e.runs) == 2 and not e.may_enter
    later = ex.moment(model, "monthly decay runs once every 30 days", at=moment.interp.now.replace(month=4, day=3))
    assert ex.explain(later, monthly, "ann").may_enter


def test_triggers_matched_from_the_log():
    model = load_file(ROOT / "examples/webinar.mkc").model
    follow = next(c for c in model.campaigns if c.name == "Follow Up")
    moment = ex.moment(model, "invite, register, attend, follow up")
    e = ex.explain(moment, follow, "bob")
    assert len(e.triggers[0].matched) == 3 and e.triggers[0].others == 0
    runs = moment.interp.runtime.history[(moment.interp.runtime.keys(follow), "bob")]
    assert [a.time for a in e.triggers[0].matched] == runs  # each match started the flow once


def test_inactive_trigger_campaign():
    text = """
campaign Hear < smart_list < trigger fills_out_form "F" >; flow < do_nothing > >
people < person ann < email "a@example.com" > >
scenario "off" < deactivate Hear >
"""
    e, _ = explained(text, "Hear", "ann", scenario="off")
    assert not e.active
    assert e.verdict == (
        'On the next fills_out_form "F" for ann, Default.Hear would not start: '
        "the campaign is inactive, so no trigger starts it."
    )


def test_invalid_smart_list():
    e, _ = explained(
        'campaign A < smart_list < filter member_of_list "Gone" >; flow < do_nothing > >\n'
        'people < person ann < email "a" > >\n',
        "A",
        "ann",
    )
    assert not e.valid and not e.qualifies
    assert "its smart list is invalid" in e.verdict


CHILDREN = """
tokens < my.tag = "root" >
workspace W <
  folder F <
    tokens < my.tag = "folder" >
    program P <
      campaign Parent <
        flow <
          execute_campaign Kid use_parent_token_context=true
          choice <
            when lead_score > 50 < execute_campaign Other >
            default < do_nothing >
          >
        >
      >
    >
  >
  program Q <
    campaign Kid executable < flow < change_data_value tag "<<my.tag>> for <<campaign.name>>" > >
    campaign Other executable < flow < change_data_value tag "<<my.tag>>" > >
  >
>
people < person ann < lead_score 10 > >
"""


def test_children_token_context_and_choice_branches():
    e, moment = explained(CHILDREN, "Parent", "ann")
    kid, other = e.calls
    assert kid.use_parent and kid.branch is None
    assert [(t.token, t.value, t.origin) for t in kid.child.tokens] == [
        ("<<my.tag>>", '"folder"', "passed down from P.Parent, declared in folder F"),
        ("<<campaign.name>>", '"P.Parent"', "the campaign, passed down from P.Parent"),
    ]
    assert other.branch == "in a choice, under `when lead_score > 50`: not now (no `when` holds)"
    assert [(t.token, t.value, t.origin) for t in other.child.tokens] == [
        ("<<my.tag>>", '"root"', "lexical, declared in root"),
    ]
    # the interpreter renders the same values
    moment.interp.engine.batch_run(e.campaign, ["ann"])
    moment.interp.engine.run_due(None)
    assert moment.interp.people["ann"].get("tag") == "folder for P.Parent"


def test_an_executable_lists_its_callers():
    model = load_file(ROOT / "examples/lead_scoring.mkc").model
    out = mkc("explain", "examples/lead_scoring.mkc", "--campaign", "Scoring.Score", "--person", "bob")
    assert out[0] == 0
    assert "  executed by:\n    Webinar Attended.Scored > Scoring.Score (parent context)\n" in out[1]
    assert model is not None


def test_cli_output():
    code, out, err = mkc("explain", "examples/nested_executables.mkc", "--campaign", "Start", "--person", "bob")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == "explain Onboarding.Start for bob at 2026-01-01T00:00, the declared people"
    assert (
        "              verdict: Executed now, Shared.Level3 would not qualify for bob (Executed Campaign "
        "qualified=FALSE): filter 1 (country not_empty) fails."
    ) in lines


@pytest.mark.parametrize(
    "args, message",
    [
        (["--campaign", "Start", "--person", "zed"], "--person zed: no such person"),
        (["--campaign", "Nope", "--person", "ann"], "no campaign named `Nope`"),
        (["--campaign", "Start", "--person", "ann", "--scenario", "nope"], 'no scenario named "nope"'),
        (["--campaign", "Start", "--person", "ann", "--at", "soon"], "--at soon:"),
        (["--person", "ann"], "--campaign"),
    ],
)
def test_cli_bad_input_is_one_line_exit_2(args, message):
    code, out, err = mkc("explain", "examples/nested_executables.mkc", *args)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_cli_check_errors_exit_1(tmp_path):
    f = tmp_path / "bad.mkc"
    f.write_text('campaign A executable < flow < wait 1 day > >\npeople < person ann < email "a" > >\n')
    code, out, err = mkc("explain", str(f), "--campaign", "A", "--person", "ann")
    assert code == 1 and "wait-in-executable" in err and out == ""


def test_help_shows_an_example():
    code, out, err = mkc("explain", "--help")
    assert code == 0 and "Examples:" in out


def test_a_moment_before_the_scenario_ends_is_refused():
    # Issue 16: the clock never goes back, so `--at` before the scenario's end is bad input.
    from mkc_cli import mkc

    args = ["explain", "examples/lifecycle.mkc", "--campaign", "Become MQL", "--person", "ann"]
    args += ["--scenario", "lead to MQL to SQL"]
    code, out, err = mkc(*args, "--at", "2020-01-01")
    assert code == 2 and out == ""
    assert err.startswith("mkc: error: examples/lifecycle.mkc: --at 2020-01-01T00:00 is before the end of scenario")
    assert len(err.splitlines()) == 1
    code, out, _ = mkc(*args, "--at", "2027-01-01")
    assert code == 0 and out.startswith("explain Lifecycle.Become MQL for ann at 2027-01-01T00:00")
