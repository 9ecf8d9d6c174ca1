"""What a request does to the database, in process: one transaction per
changing request (a request that fails changes nothing, and the numbers it
took are free again), and a request's people run in batches of people
whose pids follow each other."""

from __future__ import annotations

import pytest
from serve_helpers import REQUESTED, SHOP

from mkc.load import load_source
from mkc.serve import world as world_module
from mkc.serve.endpoints import Call, trigger_campaign, upsert_leads
from mkc.serve.world import World
from mkc.source import Source
from mkc.store.db import Store


@pytest.fixture
def world(tmp_path):
    loaded = load_source(Source("shop.mkc", SHOP))
    assert not loaded.has_errors
    world = World(loaded.model, Store.open(str(tmp_path / "s.duckdb")))
    yield world
    world.close()


def _count(world: World, table: str) -> int:
    return world.store.con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_a_failing_request_changes_nothing(world, monkeypatch):
    before = {t: _count(world, t) for t in ("people", "activities", "mkc_meta")}
    seq = world.store.meta("next_seq")

    def broken(*args):
        raise RuntimeError("a bug half way")

    monkeypatch.setattr(world, "update", broken)
    leads = {"input": [{"email": "new@example.com"}, {"email": "ann@example.com", "leadScore": 5}]}
    with pytest.raises(RuntimeError):
        upsert_leads(Call(world, {}, leads, {}))
    assert {t: _count(world, t) for t in before} == before and world.store.meta("next_seq") == seq
    monkeypatch.undo()
    # The number the failed request took is free again: the next new person gets it.
    assert upsert_leads(Call(world, {}, {"input": [{"email": "b@example.com"}]}, {}))["result"] == [
        {"id": 2, "status": "created"}
    ]


def test_new_people_of_one_request_run_as_one_batch(world, monkeypatch):
    batches = []
    real = world_module.StoreSource.batch

    def batch(self, lo, hi):
        batches.append((lo, hi))
        return real(self, lo, hi)

    monkeypatch.setattr(world_module.StoreSource, "batch", batch)
    result = upsert_leads(Call(world, {}, {"input": [{"email": f"p{i}@example.com"} for i in range(5)]}, {}))
    assert [r["id"] for r in result["result"]] == [2, 3, 4, 5, 6]
    assert batches == [(2, 6)]
    batches.clear()
    body = {"input": {"leads": [{"id": 6}, {"id": 1}, {"id": 3}, {"id": 2}]}}
    trigger_campaign(Call(world, {}, body, {"id": str(REQUESTED)}))
    assert batches == [(1, 3), (6, 6)]  # pids 1-3 together, 6 on its own
    people = world.store.con.execute(
        "SELECT person FROM activities WHERE type = 'Request Campaign' ORDER BY seq"
    ).fetchall()
    assert [p[0] for p in people] == ["ann", "3", "2", "6"]  # each batch in the request's order (ann is 1)
