"""Every activity type mkc logs has a REST shape (stdlib/rest.py, derived
from each `ActivitySpec`): a record with its id and Marketo's names, and an
entry in `GET /rest/v1/activities/types.json`."""

from __future__ import annotations

import datetime as dt

import pytest

from mkc.interpreter.records import Ids, rest_record
from mkc.serve.endpoints import activity_types
from mkc.stdlib.activities import ACTIVITIES
from mkc.stdlib.activity_types import ActivitySpec
from mkc.stdlib.rest import MKC_ATTRIBUTES, REST_ACTIVITIES, _rest

RECORD_KEYS = {
    "activityDate",
    "activityTypeId",
    "attributes",
    "campaignId",
    "id",
    "leadId",
    "marketoGUID",
    "primaryAttributeValue",
    "primaryAttributeValueId",
}
LISTED = {t["id"]: t for t in activity_types(None)["result"]}  # the endpoint reads nothing from its call


def test_ids_are_unique_and_the_endpoint_lists_every_type_once():
    ids = [a.type_id or a.mkc_id for a in ACTIVITIES.values()]
    assert all(isinstance(i, int) for i in ids) and len(set(ids)) == len(ids)
    assert sorted(LISTED) == sorted(ids) and len(activity_types(None)["result"]) == len(ids)


@pytest.mark.parametrize("name", sorted(ACTIVITIES))
def test_every_activity_gives_a_rest_record_and_a_listed_type(name):
    spec = ACTIVITIES[name]
    rest = spec.rest
    assert {rest.primary, *(a for a, _ in rest.attributes)} - {None} <= set(spec.attributes)  # no misspelt facts
    attributes = {a: f"value of {a}" for a in spec.attributes}
    when = dt.datetime(2026, 1, 5, 9, 0)
    record = rest_record(7, when, "ann", name, attributes, "Webinar.Invite", ("Start",), None, Ids(), run=3)
    assert set(record) == RECORD_KEYS
    type_id = spec.type_id or spec.mkc_id
    assert record["activityTypeId"] == type_id
    assert (record["id"], record["marketoGUID"], record["activityDate"]) == (7, "7", "2026-01-05T09:00:00Z")
    primary = rest.primary
    assert record["primaryAttributeValue"] == (attributes[primary] if primary else None)
    shown = [a["name"] for a in record["attributes"]]
    assert len(set(shown)) == len(shown)
    # every attribute but the primary is shown once, under a name the type's entry lists
    assert len(shown) == len(spec.attributes) - (primary is not None) + len(MKC_ATTRIBUTES)
    entry = LISTED[type_id]
    assert entry["name"] == (rest.name or name) and entry["description"] == rest.description
    assert set(shown) <= {a["name"] for a in entry["attributes"]}
    assert ("primaryAttribute" in entry) == (primary is not None)


def test_the_sfdc_types_have_marketos_names_and_mkcs_ids():
    assert (LISTED[100004]["name"], LISTED[100005]["name"]) == (
        "Add to SFDC Campaign",
        "Change Status in SFDC Campaign",
    )
    assert LISTED[100004]["primaryAttribute"]["name"] == "Sfdc campaign"
    assert [a["name"] for a in LISTED[100005]["attributes"]] == ["New Status", *MKC_ATTRIBUTES]


def test_a_type_declaring_no_rest_facts_keeps_its_mkc_names():
    spec = _rest(ActivitySpec("Made Up", None, ("target", "detail"), mkc_id=199999))
    assert (spec.name, spec.type_id, spec.primary, spec.description) == ("Made Up", 199999, None, "")
    assert REST_ACTIVITIES["Delete Person"].name == "Delete Lead"  # one that declares its Marketo name
    with pytest.raises(ValueError, match="neither a Marketo id nor an mkc id"):
        _rest(ActivitySpec("No Id", None, ()))
