"""Every error code of REST.md from a real `mkc serve`, and the raw answer
shapes, through plain HTTP (httpx)."""

from __future__ import annotations

import time

import httpx
import pytest
from serve_helpers import FLOWING, NEWSLETTER, REQUESTED, WEEKLY, Server

TTL = 3
FAULT = "/rest/v1/activities/types.json"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = Server(
        tmp_path_factory.mktemp("serve"),
        *("--client-id", "id", "--client-secret", "secret", "--token-ttl", str(TTL), "--rate-limit", "off"),
        env={"MKC_SERVE_TEST_FAULT": FAULT},
    )
    yield server
    server.stop()


@pytest.fixture
def http(server):
    with server.client(server.token("id", "secret")) as client:
        yield client


def _error(answer: httpx.Response) -> tuple[str, str]:
    body = answer.json()
    assert answer.status_code == 200 and body["success"] is False and "requestId" in body, body
    (error,) = body["errors"]
    return error["code"], error["message"]


def test_credentials(server):
    answer = httpx.get(
        f"{server.url}/identity/oauth/token",
        params={"grant_type": "client_credentials", "client_id": "id", "client_secret": "wrong"},
    )
    assert answer.status_code == 401 and answer.json()["error"] == "invalid_client"
    good = httpx.get(
        f"{server.url}/identity/oauth/token",
        params={"grant_type": "client_credentials", "client_id": "id", "client_secret": "secret"},
    ).json()
    assert good["token_type"] == "bearer" and good["expires_in"] == TTL and good["access_token"]


def test_601_missing_or_unknown_token(server):
    assert _error(httpx.get(f"{server.url}/rest/v1/leads/describe.json"))[0] == "601"
    bogus = {"Authorization": "Bearer nope"}
    assert _error(httpx.get(f"{server.url}/rest/v1/leads/describe.json", headers=bogus)) == (
        "601",
        "Access token invalid",
    )


def test_the_token_as_a_parameter(server):
    token = server.token("id", "secret")
    answer = httpx.get(f"{server.url}/rest/v1/campaigns.json", params={"access_token": token, "id": WEEKLY})
    assert [c["name"] for c in answer.json()["result"]] == ["Weekly"]


def test_602_expired_token(server):
    token = server.token("id", "secret")
    time.sleep(TTL + 0.2)
    answer = httpx.get(f"{server.url}/rest/v1/leads/describe.json", headers={"Authorization": f"Bearer {token}"})
    assert _error(answer) == ("602", "Access token expired")


def test_609_bad_json(http):
    answer = http.post("/rest/v1/leads.json", content=b"{not json", headers={"Content-Type": "application/json"})
    assert _error(answer)[0] == "609"


def test_610_unknown_path_or_method(http):
    assert _error(http.get("/rest/v1/nothing.json"))[0] == "610"
    assert _error(http.put("/rest/v1/leads.json", json={}))[0] == "610"
    assert _error(http.get("/"))[0] == "610"
    assert _error(http.request("TRACE", "/rest/v1/leads.json"))[0] == "610"


def test_611_an_internal_error_never_shows_its_traceback(http, server):
    code, message = _error(http.get(FAULT))
    assert (code, message) == ("611", "System error")
    assert "Traceback" not in http.get(FAULT).text


def test_1001_and_1006_skip_one_record(http):
    answer = http.post(
        "/rest/v1/leads.json",
        json={
            "input": [
                {"email": "a@example.com", "leadScore": "lots"},
                {"email": "b@example.com", "leadScor": 1},
                {"email": "c@example.com", "unsubscribed": "maybe"},
                {"email": "d@example.com", "leadScore": "12"},
            ],
            "asyncProcessing ": False,  # (the client's spelling: unknown keys are ignored)
        },
    ).json()
    reasons = [r.get("reasons", [{}])[0].get("code") for r in answer["result"]]
    assert reasons == ["1001", "1006", "1001", None]
    assert answer["result"][3]["status"] == "created"


def test_1003_requests_a_campaign_does_not_allow(http):
    one = {"input": {"leads": [{"id": 1}]}}
    assert _error(http.post(f"/rest/v1/campaigns/{WEEKLY}/trigger.json", json=one))[0] == "1003"  # a batch campaign
    assert _error(http.post(f"/rest/v1/campaigns/{FLOWING}/trigger.json", json=one))[0] == "1003"  # not from the API
    many = {"input": {"leads": [{"id": i} for i in range(101)]}}
    assert _error(http.post(f"/rest/v1/campaigns/{REQUESTED}/trigger.json", json=many))[0] == "1003"
    assert _error(http.post(f"/rest/v1/campaigns/{REQUESTED}/schedule.json", json={}))[0] == "1003"  # a trigger one
    assert _error(http.post("/mkc/v1/clock.json", json={"to": "2025-01-01T00:00:00Z"}))[0] == "1003"  # backwards


def test_1004_and_1005(http):
    update = http.post("/rest/v1/leads.json", json={"action": "updateOnly", "input": [{"email": "nobody@x.org"}]})
    assert update.json()["result"] == [
        {"status": "skipped", "reasons": [{"code": "1004", "message": "Lead not found"}]}
    ]
    create = http.post("/rest/v1/leads.json", json={"action": "createOnly", "input": [{"email": "ann@example.com"}]})
    assert create.json()["result"][0]["reasons"][0]["code"] == "1005"
    added = http.post(f"/rest/v1/lists/{NEWSLETTER}/leads.json", json={"input": [{"id": 4242}]}).json()
    assert added["result"][0]["reasons"][0]["code"] == "1004"


def test_1013_unknown_campaign_or_list(http):
    one = {"input": {"leads": [{"id": 1}]}}
    assert _error(http.post("/rest/v1/campaigns/9999/trigger.json", json=one))[0] == "1013"
    assert _error(http.post("/rest/v1/lists/9999/leads.json", json={"input": [{"id": 1}]}))[0] == "1013"


def test_answer_shapes(http):
    assert http.get("/rest/v1/campaigns/9999.json").json()["result"] == []
    assert http.get("/rest/v1/lead/9999.json").json()["result"] == []
    both = http.get("/rest/v1/campaigns.json", params=[("id", REQUESTED), ("id", WEEKLY)]).json()
    assert [c["id"] for c in both["result"]] == [REQUESTED, WEEKLY] and "nextPageToken" not in both
    requestable = http.get("/rest/v1/campaigns.json", params={"isTriggerable": "true"}).json()["result"]
    assert [c["name"] for c in requestable] == ["Requested"]
    # A GET as a form POST with _method=GET, as clients do for long queries.
    posted = http.post(
        "/rest/v1/leads.json",
        data={"_method": "GET", "filterType": "email", "filterValues": "ann@example.com", "fields": "email,leadScore"},
    ).json()
    assert posted["success"] and posted["result"] == [{"email": "ann@example.com", "leadScore": 0}]
    lists = http.get("/rest/v1/lists.json").json()["result"]
    assert lists == [{"id": NEWSLETTER, "name": "Newsletter", "programName": None, "workspaceName": "Default"}]


def test_stopping_logs_the_internal_errors_traceback(server):
    code, said = server.stop()
    assert code == 0
    assert "Traceback" in said and "MKC_SERVE_TEST_FAULT" in said
