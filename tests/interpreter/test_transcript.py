"""The transcript's layout for every activity type (docs/transcript.md)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from mkc.interpreter.records import Ids
from mkc.interpreter.runtime import ACTIVITY_TYPE_IDS, Activity
from mkc.interpreter.transcript import LAYOUTS, activity_record, format_activity

T = dt.datetime(2026, 1, 5, 9, 0)


@pytest.mark.parametrize(
    ("type_", "attributes", "line"),
    [
        (
            "Change Score",
            {"field": "lead_score", "old": None, "new": 5, "change": "+5"},
            "Change Score  lead_score  null -> 5  change=+5",
        ),
        (
            "Change Data Value",
            {"field": "lead_status", "old": "Open", "new": "MQL"},
            'Change Data Value  lead_status  "Open" -> "MQL"',
        ),
        (
            "Change Data Value",
            {"field": "due", "old": dt.date(2026, 1, 1), "new": True},
            "Change Data Value  due  2026-01-01 -> true",
        ),
        (
            "Change Program Status",
            {
                "program": "Webinar",
                "old": "Attended",
                "new": "Attended",
                "requested": "Invited",
                "reason": "a program status never moves backwards",
            },
            'Change Program Status  Webinar  "Attended" -> "Attended"  requested="Invited"  '
            'reason="a program status never moves backwards"',
        ),
        ("Add to List", {"list": "Newsletter"}, "Add to List  Newsletter"),
        ("Remove from List", {"list": "Newsletter"}, "Remove from List  Newsletter"),
        ("Send Email", {"email": "Welcome", "subject": 'Hi "Ann"'}, 'Send Email  Welcome  subject="Hi \\"Ann\\""'),
        ("Send Alert", {"email": "Alert", "to": "ops@example.com"}, 'Send Alert  Alert  to="ops@example.com"'),
        (
            "Interesting Moment",
            {"type": "milestone", "description": "MQL"},
            'Interesting Moment  milestone  description="MQL"',
        ),
        (
            "Call Webhook",
            {"webhook": "Sync", "request": "POST https://x"},
            'Call Webhook  Sync  request="POST https://x"',
        ),
        ("Delete Person", {}, "Delete Person"),
        ("Fill Out Form", {"form": "Contact Us"}, "Fill Out Form  Contact Us"),
        ("New Person", {}, "New Person"),
        (
            "Failed Step",
            {"step": "change_score", "reason": "no", "line": 3},
            'Failed Step  change_score  reason="no"  line=3',
        ),
    ],
)
def test_layouts(type_, attributes, line):
    act = Activity(T, "ann", type_, attributes)
    assert format_activity(act) == f"2026-01-05T09:00  ann  {line}"


def test_every_activity_type_has_a_layout_and_a_type_id_entry():
    assert set(LAYOUTS) == set(ACTIVITY_TYPE_IDS)


def test_unknown_attributes_follow_as_name_value():
    act = Activity(T, "ann", "Add to List", {"list": "L", "note": "x", "n": 2})
    assert format_activity(act) == '2026-01-05T09:00  ann  Add to List  L  note="x"  n=2'


def test_json_record_is_the_rest_record_with_values_as_text():
    act = Activity(T, "ann", "Change Data Value", {"field": "due", "old": None, "new": dt.date(2026, 2, 1)})
    record = activity_record(act, 7, Ids(), person="ann")
    assert record == {
        "id": 7,
        "marketoGUID": "7",
        "leadId": 1,
        "activityDate": "2026-01-05T09:00:00Z",
        "activityTypeId": 13,
        "campaignId": None,
        "primaryAttributeValueId": None,
        "primaryAttributeValue": "due",
        "attributes": [{"name": "Old Value", "value": ""}, {"name": "New Value", "value": "2026-02-01"}],
        "record": "activity",
        "person": "ann",
    }
    assert json.loads(json.dumps(record)) == record
