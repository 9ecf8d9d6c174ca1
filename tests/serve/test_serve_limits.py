"""Marketo's limits on a real `mkc serve` with `--rate-limit marketo` (the
default): more than 10 calls at once answer 615, the 101st call within 20 s
answers 606 (never a failure), and the token endpoint does not count. Plain
HTTP: the Marketo client retries both silently."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from serve_helpers import Server


@pytest.fixture
def server(tmp_path):
    server = Server(tmp_path)
    yield server
    server.stop()


def _code(answer: httpx.Response) -> str | None:
    body = answer.json()
    return None if body["success"] else body["errors"][0]["code"]


def test_more_than_10_at_once_answer_615(server):
    token = server.token()

    def upsert(n: int) -> str | None:
        leads = [{"email": f"p{n}-{i}@example.com"} for i in range(20)]  # a write: they queue for the lock
        with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=120) as http:
            return _code(http.post("/rest/v1/leads.json", json={"input": leads}))

    with ThreadPoolExecutor(16) as pool:
        codes = list(pool.map(upsert, range(16)))
    assert set(codes) == {None, "615"}
    assert codes.count(None) >= 10  # at most 10 at once, and those 10 were all served
    with server.client(token) as http:  # what was refused changed nothing; what was served is all there
        emails = [f"p{n}-0@example.com" for n in range(16)]
        found = http.get("/rest/v1/leads.json", params={"filterType": "email", "filterValues": ",".join(emails)})
    assert len(found.json()["result"]) == codes.count(None)


def test_the_101st_call_in_20_seconds_answers_606(server):
    with server.client() as http:
        codes = [_code(http.get("/mkc/v1/clock.json")) for _ in range(101)]
        server.token()  # the token endpoint does not count, and still answers
    assert codes[:100] == [None] * 100 and codes[100] == "606"
