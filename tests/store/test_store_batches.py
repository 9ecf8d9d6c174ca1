"""Runs over a store, batch by batch, give every person what one world in
memory gives them: batch campaigns run one after the other a day apart,
through `Interpreter.run_batches` over a database, match the same campaigns
run in one in-memory world (the examples', and a file with a bit of
everything)."""

from __future__ import annotations

import datetime as dt
import json
import pathlib

import pytest
from store_helpers import RICH, model_of

from mkc.interpreter import Interpreter, PersonState, format_activity
from mkc.store import Store, StoreSource, add_people

EXAMPLES = sorted((pathlib.Path(__file__).resolve().parents[2] / "examples").glob("*.mkc"))
START = dt.datetime(2026, 1, 5, 9)
DAY = dt.timedelta(days=1)


def in_memory(model, campaigns):
    """The campaigns run one a day in one world: activity lines per person, and people."""
    interp = Interpreter(model, schedules=False)
    interp.reset(start=START, schedules=False)
    engine, rt = interp.engine, interp.runtime
    for i, campaign in enumerate(campaigns):
        engine.run_due(START + i * DAY)
        rt.now = START + i * DAY
        engine.batch_run(campaign, None, {})
        engine.run_due(rt.now)
    return _by_person(format_activity(a) for a in rt.log), {h: p.snapshot() for h, p in rt.people.items()}


def in_store(model, campaigns, batch_size):
    store = Store.open(None)
    with store.transaction():
        add_people(store, [PersonState.declared(p) for p in model.people])
    for i, campaign in enumerate(campaigns):
        at = START + i * DAY
        with store.transaction():
            source = StoreSource(store, i + 1, batch_size=batch_size)
            Interpreter(model, schedules=False).run_batches(campaign, source, at, at, {}, since=store.clock)
            source.finish()
            store.set_meta("clock", at.isoformat())
    lines = [r[0] for r in store.con.execute("SELECT line FROM activities ORDER BY time, seq").fetchall()]
    source = StoreSource(store, 0, batch_size=10**6)
    people = {}
    for lo, hi in source.ranges():
        people.update({h: p.snapshot() for h, p in source.batch(lo, hi).people.items()})
    return _by_person(lines), people, lines


def _by_person(lines) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in lines:
        found.setdefault(line.split("  ")[1], []).append(line)
    return found


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_each_person_ends_as_in_one_world(path):
    model = model_of(path.read_text())
    campaigns = [c for c in model.campaigns if c.kind == "batch"]
    if not campaigns or not model.people:
        pytest.skip("no batch campaign or no people")
    expected, expected_people = in_memory(model, campaigns)
    for batch_size in (1, 2, 1000):
        got, people, _ = in_store(model, campaigns, batch_size)
        assert got == expected, batch_size
        assert people == expected_people, batch_size


def _rich():
    model = model_of(RICH)
    by_name = {c.name: c for c in model.campaigns}
    return model, [by_name[n] for n in ("Invite", "Scoring", "Removal", "Mailed", "Scoring", "Cleanup")]


@pytest.mark.parametrize("batch_size", [1, 3, 1000])
def test_waits_triggers_memberships_and_history_carry_over(batch_size):
    model, campaigns = _rich()
    expected, expected_people = in_memory(model, campaigns)
    assert sum(map(len, expected.values())) == 64 and len(expected_people) == 7  # eve was deleted
    got, people, _ = in_store(model, campaigns, batch_size)
    assert got == expected
    assert people == expected_people


def test_one_batch_gives_the_very_same_log():
    model, campaigns = _rich()
    interp = Interpreter(model, schedules=False)
    interp.reset(start=START, schedules=False)
    for i, campaign in enumerate(campaigns):
        interp.engine.run_due(START + i * DAY)
        interp.runtime.now = START + i * DAY
        interp.engine.batch_run(campaign, None, {})
        interp.engine.run_due(interp.runtime.now)
    *_, lines = in_store(model, campaigns, 1000)
    assert lines == [format_activity(a) for a in interp.runtime.log]


def test_values_of_every_kind_come_back_as_they_went_in():
    store = Store.open(None)
    fields = {
        "text": "Ann",
        "whole": 10,
        "fraction": 2.5,
        "flag": False,
        "day": dt.date(2026, 1, 5),
        "moment": dt.datetime(2026, 1, 5, 9, 30),
        "id": "a field named like the key column",
        "Text": "a field whose name differs from another's only in case",
    }
    odd = {"whole": "ten", "day": "soon"}  # values that do not fit the columns made for the first person
    with store.transaction():
        add_people(store, [PersonState("ann", dict(fields)), PersonState("bob", {**fields, **odd})])
    batch = StoreSource(store, 0).batch(1, 2)
    assert batch.people["ann"].fields == fields
    assert batch.people["bob"].fields == {**fields, **odd}
    assert json.loads(store.con.execute("SELECT _extra FROM people WHERE id = 'bob'").fetchone()[0]) == {
        **odd,
        "id": fields["id"],
        "Text": fields["Text"],
    }
