"""The Salesforce campaign steps: logged only, each one standard-library entry."""

from __future__ import annotations

from interp_helpers import model_of

from mkc.insight import callgraph, diff
from mkc.interpreter import run_scenarios
from mkc.interpreter.records import Ids
from mkc.interpreter.transcript import activity_record
from mkc.load import load_source
from mkc.source import Source
from mkc.stdlib.activities import ACTIVITIES

WORLD = """
program Webinar <
  tokens < my.sfdc = "Webinar 2026" >
  campaign Invite batch <
    flow < {flow} >
    qualification every_time
  >
  campaign Shared executable <
    flow < {flow} >
  >
  campaign Start batch <
    flow < execute_campaign Shared >
  >
>
people <
  person ann < email "ann@example.com" >
>
"""


def transcript(flow: str, scenario: str) -> str:
    text = WORLD.format(flow=flow) + f'scenario "s" <\n  at 2026-01-05T09:00\n{scenario}\n>\n'
    (result,) = run_scenarios(model_of(text))
    return result.transcript


def diagnostics(text: str):
    return [(d.code, d.message) for d in load_source(Source("t.mkc", text)).diagnostics if d.is_error]


def test_add_to_sfdc_campaign_is_logged_with_its_tokens_rendered():
    out = transcript(
        'add_to_sfdc_campaign "<<my.sfdc>>" status="Invited"',
        '  run Invite\n  expect activity ann "Add to SFDC Campaign" sfdc_campaign="webinar 2026" status="Invited"',
    )
    assert out == (
        '2026-01-05T09:00  ann  Add to SFDC Campaign  Webinar 2026  status="Invited"  flow=Webinar.Invite\n'
        'PASS expect activity ann "Add to SFDC Campaign" sfdc_campaign="webinar 2026" status="Invited"\n'
    )


def test_it_runs_in_every_kind_of_campaign_and_each_run_is_logged():
    out = transcript('add_to_sfdc_campaign "Webinar" status="Invited"', "  run Start\n  run Invite\n  run Invite")
    assert out.count("Add to SFDC Campaign  Webinar") == 3  # mkc keeps no membership: nothing is skipped
    assert "via=Webinar.Start" in out


def test_an_empty_campaign_or_status_fails_the_step():
    out = transcript('add_to_sfdc_campaign "" status="Invited"', "  run Invite")
    assert 'Failed Step  add_to_sfdc_campaign  reason="an empty Salesforce campaign name"' in out
    out = transcript('add_to_sfdc_campaign "<<my.sfdc>>" status=" "', "  run Invite")
    assert 'reason="an empty status for Salesforce campaign \\"Webinar 2026\\""' in out


def test_the_checker_knows_its_signature_and_activity():
    assert diagnostics('campaign C < flow < add_to_sfdc_campaign "Webinar" > >') == [
        ("bad-argument", "`add_to_sfdc_campaign` needs `status=`: a string")
    ]
    found = diagnostics(
        'people < person ann < email "a@x.com" > >\n'
        'scenario "s" < expect activity ann "Add to SFDC Campaign" campaign="Webinar" >'
    )
    assert [code for code, _ in found] == ["bad-argument"] and "campaign" in found[0][1]


def test_its_activity_type_shows_in_jsonl_and_diff():
    text = WORLD.format(flow='add_to_sfdc_campaign "Webinar" status="Invited"')
    (result,) = run_scenarios(model_of(text + 'scenario "s" < run Invite >\n'))
    (act,) = result.activities
    record = activity_record(act, 1, Ids())
    assert record["activityTypeId"] == 100004 and record["primaryAttributeValue"] == "Webinar"
    assert record["attributes"] == [
        {"name": "Status", "value": "Invited"},
        {"name": "mkc Flow", "value": "Webinar.Invite"},
    ]
    assert diff.label(act) == 'Add to SFDC Campaign "Webinar" "Invited"'
    mkc_ids = [a.mkc_id for a in ACTIVITIES.values() if a.mkc_id is not None]
    assert ACTIVITIES["Add to SFDC Campaign"].mkc_id == 100004 and len(set(mkc_ids)) == len(mkc_ids)


def test_change_status_in_sfdc_campaign_is_logged_too():
    out = transcript(
        'add_to_sfdc_campaign "<<my.sfdc>>" status="Invited"\n'
        '    change_status_in_sfdc_campaign "<<my.sfdc>>" status="Attended"',
        '  run Invite\n  expect activity ann "Change Status in SFDC Campaign" status="attended" count=1',
    )
    assert out == (
        '2026-01-05T09:00  ann  Add to SFDC Campaign  Webinar 2026  status="Invited"  flow=Webinar.Invite\n'
        '2026-01-05T09:00  ann  Change Status in SFDC Campaign  Webinar 2026  status="Attended"  flow=Webinar.Invite\n'
        'PASS expect activity ann "Change Status in SFDC Campaign" status="attended" count=1\n'
    )
    out = transcript('change_status_in_sfdc_campaign "" status="Attended"', "  run Invite")
    assert 'Failed Step  change_status_in_sfdc_campaign  reason="an empty Salesforce campaign name"' in out
    assert diagnostics('campaign C < flow < change_status_in_sfdc_campaign "W" state="x" > >')[0][0] == "bad-argument"
    assert ACTIVITIES["Change Status in SFDC Campaign"].mkc_id == 100005


TRIGGERED = """
program Webinar <
  tokens < my.sfdc = "Webinar 2026" >
  campaign Invite batch <
    flow < add_to_sfdc_campaign "<<my.sfdc>>" status="Invited" >
  >
  campaign Literal batch <
    flow < add_to_sfdc_campaign "Webinar 2026" status="Invited" >
  >
  campaign OnAdded trigger <
    smart_list < trigger added_to_sfdc_campaign "webinar 2026" status="Invited" >
    flow < interesting_moment milestone "added to <<trigger.name>> (<<trigger.trigger_name>>)" >
    qualification every_time
  >
  campaign OnOther trigger <
    smart_list < trigger added_to_sfdc_campaign "Other" >
    flow < interesting_moment milestone "other" >
  >
>
people <
  person ann < email "ann@example.com" >
>
scenario "s" <
  at 2026-01-05T09:00
  run Invite
  event ann added_to_sfdc_campaign "Webinar 2026" status="Attended"
  event ann added_to_sfdc_campaign "Webinar 2026" status="Invited"
>
"""


def test_added_to_sfdc_campaign_is_fired_by_the_step_and_by_an_event():
    (result,) = run_scenarios(model_of(TRIGGERED))
    moment = (
        "2026-01-05T09:00  ann  Interesting Moment  milestone  "
        'description="added to Webinar 2026 (Added to SFDC Campaign)"'
    )
    assert result.transcript == (
        '2026-01-05T09:00  ann  Add to SFDC Campaign  Webinar 2026  status="Invited"  flow=Webinar.Invite\n'
        f"{moment}  flow=Webinar.OnAdded\n"
        '2026-01-05T09:00  ann  Add to SFDC Campaign  Webinar 2026  status="Attended"\n'  # another status: no match
        '2026-01-05T09:00  ann  Add to SFDC Campaign  Webinar 2026  status="Invited"\n'
        f"{moment}  flow=Webinar.OnAdded\n"
    )


def test_added_to_sfdc_campaign_in_the_graph():
    loaded = load_source(Source("t.mkc", TRIGGERED))
    graph = callgraph.build(loaded.model, loaded.diagnostics)
    label = {n.id: n.lines[0] for n in graph.nodes.values()}
    fires = [(label[e.source], label[e.target]) for e in graph.edges if e.kind == "fires"]
    assert fires == [  # a token may name any campaign; the literal one cannot be "Other"
        ("Invite", 'added_to_sfdc_campaign "webinar 2026" status="Invited"'),
        ("Invite", 'added_to_sfdc_campaign "Other"'),
        ("Literal", 'added_to_sfdc_campaign "webinar 2026" status="Invited"'),
    ]


def test_added_to_sfdc_campaign_in_the_checker():
    listener = "campaign T trigger < smart_list < trigger added_to_sfdc_campaign {args} >; flow < {flow} > >"
    assert diagnostics(listener.format(args='"W" state="x"', flow="do_nothing"))[0][0] == "bad-argument"
    found = diagnostics(listener.format(args='"W"', flow='interesting_moment milestone "<<trigger.old_value>>"'))
    assert found and "Added to SFDC Campaign" in found[0][1]
    people = 'people < person ann < email "a@x.com" > >\n'
    assert diagnostics(people + 'scenario "s" < event ann added_to_sfdc_campaign "W" status="S" >') == []
    (result,) = run_scenarios(
        model_of(people + 'scenario "s" < event ann added_to_sfdc_campaign "W" >', allow_errors=True)
    )
    assert result.error == "line 2: event added_to_sfdc_campaign needs status=: it is what happens to ann"
