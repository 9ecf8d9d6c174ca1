"""Tokens in scenario commands (issue 13): a scenario runs outside every
campaign, so only `lead.*`, `system.*` and My Tokens declared at the root
answer there. The checker reports every other token as undefined-token at
the token; whatever it lets through, `mkc run` plays without a traceback."""

import itertools

import pytest

from mkc.interpreter import run_scenarios
from mkc.load import load_source
from mkc.source import Source

HEAD = """tokens < my.root = "R"
  my.holds = "<<campaign.name>>" >
program P <
  tokens < my.prog = "Q" my.x = "-" >
  list "L"
  campaign B < flow < add_to_list "L" > >
  campaign T <
    smart_list < trigger campaign_is_requested >
    flow < change_data_value city "<<my.x>>" >
  >
>
people <
  person ann < email "a@x" first_name "Ann" >
>
"""
COMMANDS = {
    "event form": 'event ann fills_out_form "{t}"',
    "event change": 'event ann data_value_changes city to="{t}"',
    "event status": 'event ann program_status_changes P to="{t}"',
    "set": 'set ann city "{t}"',
    "set token": "set ann city {t}",
    "expect": 'expect ann city = "{t}"',
    "expect token": "expect ann city = {t}",
    "expect activity": 'expect activity ann "Add to List" list="{t}"',
    "expect no activity": 'expect no activity ann "Add to List" list={t} count=0',
}
LINE = HEAD.count("\n") + 2  # the command's
ANSWERED = ["<<lead.first_name>>", "<<lead.city:default=x>>", "<<system.date>>", "<<my.root>>"]
UNANSWERED = [
    "<<my.prog>>",
    "<<my.nope>>",
    "<<my.nope:default=x>>",
    "<<campaign.name>>",
    "<<program.name>>",
    "<<member.status>>",
    "<<trigger.name>>",
    "<<bogus.x>>",
    "<<campaign.bogus>>",
    "<<my.holds>>",  # a root My Token holding a campaign token
]


def loaded(command: str):
    text = HEAD + f'scenario "s" <\n  {command}\n>\n'
    return load_source(Source("s.mkc", text))


def errors(result):
    return [(d.code, d.span.line, d.span.column) for d in result.diagnostics if d.is_error]


@pytest.mark.parametrize(("command", "token"), list(itertools.product(COMMANDS, UNANSWERED)))
def test_a_token_no_scenario_can_answer_is_undefined_token_at_the_token(command, token):
    line = COMMANDS[command].format(t=token)
    found = errors(loaded(line))
    assert found, line
    assert {code for code, _, _ in found} == {"undefined-token"}, found
    if token == "<<my.holds>>":  # reported inside the declaration that holds it
        assert found == [("undefined-token", 2, 15)]
    else:
        assert found == [("undefined-token", LINE, 3 + line.index(token))]


@pytest.mark.parametrize(("command", "token"), list(itertools.product(COMMANDS, ANSWERED)))
def test_tokens_a_scenario_answers_check_and_run(command, token):
    result = loaded(COMMANDS[command].format(t=token))
    assert errors(result) == []
    (ran,) = run_scenarios(result.model)
    assert ran.error is None


def test_api_token_values_are_answered_in_the_started_campaign():
    ok = 'request T for ann tokens < my.x = "<<campaign.name>> <<trigger.name>> <<my.prog>> <<my.y>>" my.y = "1" >'
    assert errors(loaded(ok)) == []
    for value, column in [
        ("<<bogus.x>>", 38),
        ("<<campaign.nam>>", 38),
        ("<<my.nowhere>>", 38),
    ]:
        assert errors(loaded(f'request T for ann tokens < my.x = "{value}" >')) == [("undefined-token", LINE, column)]
    scheduled = 'schedule B at 2026-01-02T00:00 tokens < my.x = "<<trigger.name>>" >'
    assert errors(loaded(scheduled)) == [("undefined-token", LINE, 51)]


def test_expect_activity_of_a_deleted_person_with_a_lead_token_fails_without_a_traceback():
    text = """campaign D < flow < delete_person > >
people <
  person ann < email "a@x" first_name "Ann" >
>
scenario "s" <
  run D
  expect activity ann "Delete Person" flow=<<lead.first_name>>
>
"""
    result = load_source(Source("d.mkc", text))
    assert errors(result) == []
    (ran,) = run_scenarios(result.model)
    assert ran.error is None
    assert ran.expects[0].line_text.endswith("got <<lead.first_name>>: there is no person here")
