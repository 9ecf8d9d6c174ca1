"""The interpreter's public API (mkc.interpreter), and the limits it enforces at
run time even in a model the checker rejected."""

from __future__ import annotations

import datetime as dt

import pytest
from interp_helpers import model_of

from mkc.grammar import ast, parse_line
from mkc.interpreter import (
    START,
    Interpreter,
    InterpreterError,
    flow,
    format_activity,
    parse_token_value,
    render,
    run_campaign,
    run_scenarios,
)
from mkc.interpreter.flow import FlowRun, Frame, StepFailure
from mkc.interpreter.tokens import TokenContext

TEXT = """
tokens < my.bonus = +5 >
list "Newsletter"
campaign Score executable < flow < change_score <<my.bonus>> > >
campaign Batch < flow < add_to_list "Newsletter"; wait 1 day; change_score +1 > >
campaign Watch <
  smart_list < trigger added_to_list "Newsletter" >
  flow < change_data_value watched "yes" >
>
people < person ann < lead_score 1 >; person bob < > >
scenario one < run Batch; expect ann member_of_list "Newsletter" >
"""


@pytest.fixture
def interp():
    return Interpreter(model_of(TEXT))


def step(text):
    return parse_line(text)


def test_a_fresh_world(interp):
    assert interp.now == START == dt.datetime(2026, 1, 1)
    assert list(interp.people) == ["ann", "bob"]
    assert interp.people["ann"].fields == {"lead_score": 1}
    assert interp.log == [] and interp.pending == []


def test_run_steps_for_one_person_shows_what_changed(interp):
    before = interp.people["ann"].snapshot()
    new = interp.run_steps("ann", [step('add_to_list "Newsletter"'), step("change_score +2")])
    assert [a.type for a in new] == ["Add to List", "Change Score", "Change Data Value"]  # Watch ran too
    after = interp.people["ann"].snapshot()
    assert before["lists"] == [] and after["lists"] == ["Newsletter"]
    assert after["fields"] == {"lead_score": 3, "watched": "yes"}
    assert new[2].flow == "Default.Watch" and new[0].flow is None


def test_run_steps_in_a_campaign_context(interp):
    campaign = interp.campaign("Score")
    (act,) = interp.run_steps("bob", [step("change_score <<my.bonus>>")], campaign)
    assert (
        format_activity(act)
        == "2026-01-01T00:00  bob  Change Score  lead_score  null -> 5  change=+5  flow=Default.Score"
    )


def test_a_wait_in_run_steps_queues_the_rest(interp):
    interp.run_steps("ann", [step("wait 1 hour"), step("change_score +1")])
    assert interp.people["ann"].fields["lead_score"] == 1 and len(interp.pending) == 1
    interp.command(ast.Advance(ast.Duration(1, "hour")))
    assert interp.people["ann"].fields["lead_score"] == 2 and interp.pending == []


def test_commands_one_at_a_time(interp):
    interp.command(parse_line("at 2026-02-01T09:00"))
    interp.command(parse_line("run Batch"))
    result = interp.command(parse_line('expect ann member_of_list "Newsletter"'))
    assert result.passed and result.line_text == 'PASS expect ann member_of_list "Newsletter"'
    assert [t for t, _ in interp.pending] == [dt.datetime(2026, 2, 2, 9, 0)] * 2
    failed = interp.command(parse_line("expect bob lead_score = 1"))
    assert failed.line_text == "FAIL expect bob lead_score = 1, got null"


def test_use_keeps_the_world_with_an_edited_model(interp):
    interp.run_steps("ann", [step('add_to_list "Newsletter"')])
    interp.use(model_of(TEXT.replace("my.bonus = +5", "my.bonus = +9")))
    assert interp.command(parse_line('expect ann member_of_list "Newsletter"')).passed
    interp.run_steps("ann", [step("change_score <<my.bonus>>")], interp.campaign("Score"))
    assert interp.people["ann"].fields["lead_score"] == 10


def test_run_campaign_goes_on_until_no_work_is_left():
    result = run_campaign(model_of(TEXT), "Batch", at=dt.datetime(2026, 3, 1))
    assert result.entered == ("ann", "bob")
    assert [a.time.day for a in result.activities if a.type == "Change Score"] == [2, 2]
    assert not result.failed


def test_run_campaign_refuses_what_is_not_a_batch_campaign():
    with pytest.raises(InterpreterError, match="executable"):
        run_campaign(model_of(TEXT), "Score")


def test_api_tokens_parse_like_token_values():
    assert parse_token_value("+7") == ast.ScoreChange("+", 7)
    assert parse_token_value("=-2") == ast.ScoreChange("=", -2)
    assert parse_token_value("-5") == ast.ScoreChange("+", -5)
    assert parse_token_value("12") == ast.Num(12)
    assert parse_token_value('"hi there"') == ast.Str("hi there")
    assert parse_token_value("2026-03-01") == ast.DateTime(dt.datetime(2026, 3, 1), False)
    assert parse_token_value("true") == ast.Bool(True)


def test_run_scenarios_and_render():
    results = run_scenarios(model_of(TEXT))
    assert [r.name for r in results] == ["one"] and results[0].passed
    assert render(results) == results[0].transcript == results[0].transcript_text
    assert render(results).endswith('PASS expect ann member_of_list "Newsletter"\n')


def test_unknown_scenario_name():
    with pytest.raises(InterpreterError, match='no scenario named "two"'):
        run_scenarios(model_of(TEXT), ["two"])


# ---- order: people in the database's order, triggered work after the work that queued it ----

ORDER = """
list "L"
campaign Add < flow < add_to_list "L"; change_data_value step "after add" > >
campaign Watch < smart_list < trigger added_to_list "L" >; flow < change_data_value watched "yes" > >
people < person cal < >; person ann < >; person bob < > >
"""


def test_batch_people_in_declaration_order_then_the_triggered_work():
    result = run_campaign(model_of(ORDER), "Add")
    assert [(a.person, a.type, a.attributes.get("field")) for a in result.activities] == [
        ("cal", "Add to List", None),
        ("cal", "Change Data Value", "step"),
        ("ann", "Add to List", None),
        ("ann", "Change Data Value", "step"),
        ("bob", "Add to List", None),
        ("bob", "Change Data Value", "step"),
        ("cal", "Change Data Value", "watched"),
        ("ann", "Change Data Value", "watched"),
        ("bob", "Change Data Value", "watched"),
    ]


# ---- limits enforced at run time (the checker reports them too) ------------------------

DEEP = """
campaign L1 executable < flow < change_score +1 field=l1; execute_campaign L2 > >
campaign L2 executable < flow < change_score +1 field=l2; execute_campaign L3 > >
campaign L3 executable < flow < change_score +1 field=l3; execute_campaign L4 > >
campaign L4 executable < flow < change_score +1 field=l4 > >
campaign Start < flow < execute_campaign L1; change_score +1 field=after > >
people < person ann < > >
"""


def test_a_fourth_level_of_execute_campaign_is_a_failed_step():
    result = run_campaign(model_of(DEEP, allow_errors=True), "Start")
    failed = [a for a in result.activities if a.type == "Failed Step"]
    assert len(failed) == 1 and result.failed
    assert failed[0].flow == "Default.L3" and list(failed[0].via) == ["Default.Start", "Default.L1", "Default.L2"]
    assert "four" in failed[0].attributes["reason"] or "level 4" in failed[0].attributes["reason"]
    fields = {a.attributes["field"] for a in result.activities if a.type == "Change Score"}
    assert fields == {"l1", "l2", "l3"}  # neither l4 nor the caller's next step


CROSS = """
workspace A < campaign Child executable < flow < change_score +1 > > >
workspace B < campaign Parent < flow < execute_campaign A.Child > > >
people < person ann < > >
"""


def test_a_call_into_another_workspace_is_a_failed_step():
    model = model_of(CROSS, allow_errors=True)
    parent, child = (next(c for c in model.campaigns if c.name == n) for n in ("Parent", "Child"))
    result = run_campaign(model, "Parent")
    assert [a.type for a in result.activities] == ["Failed Step"]  # workspace B cannot even name it
    interp = Interpreter(model)
    run = FlowRun(parent, "ann", TokenContext(parent))
    with pytest.raises(StepFailure, match="workspace"):  # and handed the campaign itself, it refuses
        interp.engine.execute(Frame(parent, run.context, run), child, False)


def test_a_wait_in_an_executable_is_a_failed_step():
    text = (
        "campaign X executable < flow < wait 1 day > >\ncampaign P < flow < execute_campaign X > >\n"
        "people < person ann < > >\n"
    )
    result = run_campaign(model_of(text, allow_errors=True), "P")
    assert [a.type for a in result.activities] == ["Executed Campaign", "Failed Step"]
    assert "executable" in result.activities[1].attributes["reason"]


def test_a_runaway_loop_is_stopped(monkeypatch):
    monkeypatch.setattr(flow, "MAX_WORK", 500)
    text = """
campaign Ping < smart_list < trigger data_value_changes a >; flow < change_data_value b "<<lead.a>>x" >
                qualification every_time >
campaign Pong < smart_list < trigger data_value_changes b >; flow < change_data_value a "<<lead.b>>y" >
                qualification every_time >
people < person ann < > >
scenario loop < set ann a "go" >
"""
    (result,) = run_scenarios(model_of(text))
    assert result.error is not None and "more than 500 pieces of work without a pause" in result.error
    assert not result.passed


DELETED = """
list "L"
campaign Gone < flow < delete_person > >
campaign Add < flow < add_to_list "L" > >
people < person ann < lead_score 1 >; person bob < > >
scenario s <
  run Gone for ann
  set ann lead_score 5
  run Add
  expect ann lead_score = 1
  expect activity ann "Delete Person"
  expect bob member_of_list "L"
>
"""


def test_a_deleted_person_leaves_the_database_but_not_the_log():
    (result,) = run_scenarios(model_of(DELETED))
    lines = [e.line_text for e in result.expects]
    assert lines == [
        "FAIL expect ann lead_score = 1, got ann is not in the database (deleted)",
        'PASS expect activity ann "Delete Person"',
        'PASS expect bob member_of_list "L"',
    ]
    assert [a.type for a in result.activities if a.person == "ann"] == ["Delete Person"]


def test_token_scopes_answered_at_run_time(interp):
    interp.command(parse_line("at 2026-01-05T09:30"))
    steps = [
        step('change_data_value t "<<system.time>> <<system.date>>"'),
        step('change_data_value s "[<<member.status>>] <<member.status:default=none>>"'),
        step('change_data_value c "<<campaign.id>> <<program.id>> <<Campaign.Name>>"'),
    ]
    interp.run_steps("bob", steps, interp.campaign("Score"))
    fields = interp.people["bob"].fields
    assert fields["t"] == "09:30 2026-01-05"
    assert fields["s"] == "[] none"
    assert fields["c"] == "1001 1001 Default.Score"
