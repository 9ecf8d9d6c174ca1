"""`mkc serve` driven by the real Marketo client, `marketorestpython`,
pointed at a real server on a loopback port: leads, campaigns with tokens,
schedules and the clock, lists, activity paging, and the activities read
back equal to `mkc db export` of the same database."""

from __future__ import annotations

import json

import pytest
from marketorestpython.client import MarketoClient
from mkc_cli import mkc
from serve_helpers import CREATED, NEWSLETTER, REQUESTED, WEEKLY, Server

from mkc.stdlib.rest import REST_ACTIVITIES

ALL_TYPES = [str(s.type_id) for s in REST_ACTIVITIES.values()]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = Server(tmp_path_factory.mktemp("serve"), "--rate-limit", "off")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def mc(server):
    client = MarketoClient("123-ABC-456", client_id="id", client_secret="secret", max_retry_time=5)
    client.host = server.url  # everything else as against Marketo
    return client


def _activities(mc, **kw):
    return mc.get_lead_activities(activityTypeIds=ALL_TYPES, sinceDatetime="2025-01-01", **kw)


def test_authenticate_and_describe(mc):
    mc.authenticate()
    assert mc.token and mc.expires_in == 3600
    fields = {f["rest"]["name"]: f for f in mc.describe()}
    assert fields["leadScore"] == {
        "id": 20,
        "displayName": "Lead Score",
        "dataType": "integer",
        "rest": {"name": "leadScore", "readOnly": False},
    }
    assert fields["email"]["dataType"] == "email" and fields["annualRevenue"]["dataType"] == "currency"
    assert fields["renewalDate"]["displayName"] == "Renewal Date" and fields["renewalDate"]["dataType"] == "datetime"


def test_create_update_leads_fire_their_triggers(mc):
    result = mc.create_update_leads(
        [
            {"email": "bob@example.com", "firstName": "Bob", "renewalDate": "2026-03-01T10:00:00+01:00"},
            {"email": "ann@example.com", "leadScore": 3},
        ],
        action="createOrUpdate",
        lookupField="email",
        asyncProcessing=False,
    )
    assert result == [{"id": 2, "status": "created"}, {"id": 1, "status": "updated"}]
    bob = mc.get_lead_by_id(2, fields=["email", "firstName", "leadScore", "renewalDate"])
    assert bob == [
        {"email": "bob@example.com", "firstName": "Bob", "leadScore": 10, "renewalDate": "2026-03-01T09:00:00Z"}
    ]
    found = mc.get_multiple_leads_by_filter_type("email", ["ann@example.com", "bob@example.com"], fields=["leadScore"])
    assert found == [{"leadScore": 3}, {"leadScore": 10}]
    records = _activities(mc, leadIds="2")
    assert [(r["activityTypeId"], r["campaignId"]) for r in records] == [(12, None), (22, CREATED)]


def test_request_campaign_with_tokens_reaches_the_child_with_parent_context(mc):
    assert mc.request_campaign(REQUESTED, [1, 2, 999], tokens={"my.score": "+7"})
    records = _activities(mc, leadIds="1")
    score = [r for r in records if r["activityTypeId"] == 22]
    assert score[-1]["attributes"][:3] == [
        {"name": "Change Value", "value": "+7"},  # the API token, through the parent's context
        {"name": "Old Value", "value": "3"},
        {"name": "New Value", "value": "10"},
    ]
    assert {"name": "mkc Via", "value": "Web.Requested"} in score[-1]["attributes"]
    executed = next(r for r in records if r["activityTypeId"] == 100001)
    assert {"name": "Use Parent Token Context", "value": "true"} in executed["attributes"]


def test_list_add_and_remove_fire_added_to_list(mc, server):
    assert mc.add_leads_to_list(NEWSLETTER, [2, 999]) == [
        {"id": 2, "status": "added"},
        {"id": 999, "status": "skipped", "reasons": [{"code": "1004", "message": "Lead not found"}]},
    ]
    with server.client() as http:
        moved = http.post("/mkc/v1/clock.json", json={"advance": "1 day"}).json()
    assert moved["result"][0]["now"] == "2026-01-02T00:00:00Z" and moved["result"][0]["activities"] == 1
    assert mc.get_lead_by_id(2, fields=["leadStatus"]) == [{"leadStatus": "Subscribed"}]  # OnList's wait went on
    assert mc.remove_leads_from_list(NEWSLETTER, [2]) == [{"id": 2, "status": "removed"}]
    types = [r["activityTypeId"] for r in _activities(mc, leadIds="2")]
    assert types[-3:] == [24, 13, 25]


def test_schedule_campaign_runs_when_the_clock_passes_it(mc, server):
    assert mc.schedule_campaign(WEEKLY, runAt="2026-01-05T09:00:00Z", tokens={"my.score": "+1"})
    before = len(_activities(mc))
    with server.client() as http:
        assert http.get("/mkc/v1/clock.json").json()["result"][0]["now"] == "2026-01-02T00:00:00Z"
        moved = http.post("/mkc/v1/clock.json", json={"to": "2026-01-06T00:00:00Z"}).json()["result"][0]
    assert moved == {"now": "2026-01-06T00:00:00Z", "activities": 2}  # ann and bob, +2 each
    after = _activities(mc)
    assert [(r["activityDate"], r["campaignId"]) for r in after[before:]] == [("2026-01-05T09:00:00Z", WEEKLY)] * 2


def test_activity_types(mc):
    types = {t["id"]: t for t in mc.get_activity_types()}
    assert types[104]["name"] == "Change Status in Progression"
    assert [a["name"] for a in types[22]["attributes"]][:3] == ["Change Value", "Old Value", "New Value"]
    assert types[100001]["name"] == "Executed Campaign (mkc)"
    assert all(isinstance(i, int) for i in types)


def test_paging_over_300_activities_and_the_export_agrees(mc, server, tmp_path):
    leads = [{"email": f"p{i}@example.com"} for i in range(160)]
    assert all(r["status"] == "created" for r in mc.create_update_leads(leads))  # two activities each
    records = _activities(mc, batchSize=300)
    assert len(records) > 300
    assert [r["id"] for r in records] == sorted(r["id"] for r in records)
    assert len({r["id"] for r in records}) == len(records)
    with server.client() as http:  # the pages, as the client walks them
        token = http.get("/rest/v1/activities/pagingtoken.json", params={"sinceDatetime": "2025-01-01"}).json()
        first = http.get("/rest/v1/activities.json", params={"nextPageToken": token["nextPageToken"]}).json()
    assert first["moreResult"] is True and len(first["result"]) == 300 and first["nextPageToken"]
    code, said = server.stop()
    assert code == 0 and "mkc serve: stopped" in said
    out = tmp_path / "a.jsonl"
    assert mkc("db", "export", str(out), "--db", server.db)[0] == 0
    assert [json.loads(line) for line in out.read_text().splitlines()] == records
