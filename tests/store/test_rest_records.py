"""The REST activity record (REST.md, Activity records): the one shape of
`mkc run --format jsonl` (scenarios and campaign runs) and `mkc db export`."""

from __future__ import annotations

import json

from store_helpers import RICH, people_csv, run_mkc, write_campaigns

from mkc.interpreter import PersonState
from mkc.store.batches import add_people
from mkc.store.db import Store
from mkc.store.rest_ids import load_ids

SMALL = """
list "Newsletter"
email "Welcome" < subject "Hi <<lead.first_name:default=there>>" >
program Webinar <
  statuses ["Invited", "Attended"]
  campaign Invite <
    flow <
      change_program_status Webinar "Invited"
      send_email "Welcome"
      add_to_list "Newsletter"
      change_data_value lead_status "MQL"
    >
  >
>
people < person ann < first_name "Ann" lead_score 1 > >
scenario "invite" < run Invite >
"""

FLOW = {"name": "mkc Flow", "value": "Webinar.Invite"}


def _lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def test_a_scenario_gives_exact_rest_records(tmp_path, capsys):
    code, out, _ = run_mkc(capsys, "run", write_campaigns(tmp_path, SMALL), "--format", "jsonl")
    assert code == 0
    common = {"activityDate": "2026-01-01T00:00:00Z", "campaignId": 1001, "leadId": 1, "person": "ann"}
    common |= {"record": "activity", "scenario": "invite"}
    assert _lines(out) == [
        {
            **common,
            "id": 1,
            "marketoGUID": "1",
            "activityTypeId": 104,
            "primaryAttributeValue": "Webinar",
            "primaryAttributeValueId": 1001,
            "attributes": [{"name": "Old Status", "value": ""}, {"name": "New Status", "value": "Invited"}, FLOW],
        },
        {
            **common,
            "id": 2,
            "marketoGUID": "2",
            "activityTypeId": 6,
            "primaryAttributeValue": "Welcome",
            "primaryAttributeValueId": 1001,
            "attributes": [{"name": "Subject", "value": "Hi Ann"}, FLOW],
        },
        {
            **common,
            "id": 3,
            "marketoGUID": "3",
            "activityTypeId": 24,
            "primaryAttributeValue": "Newsletter",
            "primaryAttributeValueId": 1001,
            "attributes": [FLOW],
        },
        {
            **common,
            "id": 4,
            "marketoGUID": "4",
            "activityTypeId": 13,
            "primaryAttributeValue": "Lead Status",
            "primaryAttributeValueId": 17,  # lead_status's place in the field table
            "attributes": [{"name": "Old Value", "value": ""}, {"name": "New Value", "value": "MQL"}, FLOW],
        },
    ]
    for line in out.splitlines():  # keys sorted, one object a line
        assert line == json.dumps(json.loads(line), sort_keys=True, ensure_ascii=False)


def test_a_scenario_and_a_database_run_give_the_same_records(tmp_path, capsys):
    path = write_campaigns(tmp_path, SMALL)
    scenario = _lines(run_mkc(capsys, "run", path, "--format", "jsonl")[1])
    db = str(tmp_path / "s.duckdb")
    code, printed, _ = run_mkc(capsys, "run", path, "--campaign", "Invite", "--db", db, "--format", "jsonl")
    assert code == 0
    for record in scenario:
        for key in ("record", "scenario", "person"):
            del record[key]
        record["attributes"].append({"name": "mkc Run", "value": "1"})
    assert _lines(printed) == scenario


def test_run_jsonl_and_db_export_agree_byte_for_byte(tmp_path, capsys):
    path = write_campaigns(tmp_path, RICH)
    db = str(tmp_path / "s.duckdb")
    printed = ""
    for campaign, at in (("Webinar.Invite", "2026-01-05T09:00"), ("Scoring", "2026-01-12T09:00")):
        code, out, _ = run_mkc(capsys, "run", path, "--campaign", campaign, "--db", db, "--at", at, "--format", "jsonl")
        assert code == 0
        printed += out
    out = tmp_path / "a.jsonl"
    assert run_mkc(capsys, "db", "export", out, "--db", db)[0] == 0
    exported = out.read_text()
    assert exported == printed
    records = _lines(exported)
    # Every record has a numeric type id; mkc's own types have mkc's ids.
    assert all(isinstance(r["activityTypeId"], int) for r in records)
    executed = next(r for r in records if r["activityTypeId"] == 100001)
    assert executed["primaryAttributeValue"] == "Default.Score"
    assert {"name": "Use Parent Token Context", "value": "true"} in executed["attributes"]
    # Declared people got the next free whole numbers, in declaration order, and keep them.
    assert {r["leadId"] for r in records} <= set(range(1, 9))


def test_declared_people_are_numbered_after_imported_ids(tmp_path, capsys):
    db = str(tmp_path / "s.duckdb")
    run_mkc(capsys, "db", "import", people_csv(tmp_path, 3), "--db", db)
    store = Store.open(db)
    with store.transaction():
        add_people(store, [PersonState("ann"), PersonState("1010"), PersonState("bob")])
    ids = load_ids(store)
    store.close()
    assert [ids.lead(h) for h in ("1001", "ann", "1010", "bob")] == [1001, 1011, 1010, 1012]
    assert ids.lead("new") == 1013  # the next free: above every id given
