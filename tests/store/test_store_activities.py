"""The activity log's rows as the store writes them (store/activities.py,
store/bulk.py): each column is what the plain definitions give, whatever the
values, and the shortcuts taken for speed (remembered times and literals, a C
JSON encoder made once, Arrow columns) change nothing."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import json

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from store_helpers import people_csv, run_mkc, write_campaigns

from mkc.interpreter import transcript
from mkc.interpreter.runtime import ACTIVITY_TYPE_IDS, Activity, CampaignName
from mkc.interpreter.transcript import BARE, CHANGE, LAYOUTS, format_activity, to_json
from mkc.stdlib.values import literal
from mkc.store import Store, activities, bulk, codec

T = dt.datetime(2026, 1, 5, 9, 0)


def plain_line(act: Activity) -> str:
    """The transcript line by the rule of docs/transcript.md, with nothing remembered."""

    def value(name, v):
        if isinstance(v, bool):
            return "TRUE" if v else "FALSE"
        if isinstance(v, CampaignName) or (isinstance(v, str) and name in BARE):
            return str(v)
        return literal(v)

    columns = [act.time.strftime("%Y-%m-%dT%H:%M"), act.person, act.type]
    shown = set()
    for column in LAYOUTS.get(act.type, ()):
        if column == CHANGE:
            columns.append(f"{literal(act.attributes.get('old'))} -> {literal(act.attributes.get('new'))}")
            shown |= {"old", "new"}
        elif column.endswith("="):
            name = column[:-1]
            if name in act.attributes:
                columns.append(f"{name}={value(name, act.attributes[name])}")
            shown.add(name)
        else:
            v = act.attributes.get(column)
            columns.append("" if v is None else v if isinstance(v, str) else literal(v))
            shown.add(column)
    columns += [f"{name}={value(name, v)}" for name, v in act.attributes.items() if name not in shown]
    if act.flow is not None:
        columns.append(f"flow={act.flow}")
    if act.via:
        columns.append("via=" + ">".join(act.via))
    return "  ".join(columns)


def plain_json(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class _Campaign:  # what CampaignName needs of a campaign
    def __init__(self, full_name: str):
        self.full_name, self.name = full_name, full_name.split(".")[-1]


SCORE, START = CampaignName(_Campaign("Scoring.Score")), CampaignName(_Campaign("Ops.Start"))

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False),
    st.text(max_size=12),
    st.sampled_from(["MQL", 'say "hi"', "back\\slash", "two\nlines", "Chloé", "", "+10", "api"]),
    st.dates(),
    st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1)),
    st.just(SCORE),
)
values = st.one_of(scalars, st.tuples(scalars, scalars))
names = st.sampled_from(
    ["field", "old", "new", "change", "list", "subject", "reason", "line", "source", "campaign", "x"]
)


@st.composite
def activity(draw) -> Activity:
    return Activity(
        draw(st.datetimes(min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2026, 12, 31))),
        draw(st.sampled_from(["ann", "1000001", "Zoë"])),
        draw(st.sampled_from([*LAYOUTS, "Something New"])),
        draw(st.dictionaries(names, values, max_size=5)),
        flow=draw(st.sampled_from([None, SCORE, START])),
        via=draw(st.sampled_from([(), (START,), (START, SCORE)])),
        target=draw(st.sampled_from([None, ("campaign", "Default", "Scoring", "Score"), ("list", "Default", "L")])),
    )


@settings(max_examples=300, deadline=None)
@given(st.lists(activity(), min_size=1, max_size=8))
def test_every_column_is_what_the_plain_definitions_give(acts):
    pids = {"ann": 1, "1000001": 2}
    cols = {name: list(values) for name, (_, values) in activities.columns(acts, pids, 7, 3).items()}
    assert cols["line"] == [plain_line(a) for a in acts]
    assert cols["attributes"] == [plain_json({k: to_json(v) for k, v in a.attributes.items()}) for a in acts]
    assert cols["via"] == [plain_json([str(c) for c in a.via]) for a in acts]
    assert cols["flow"] == [None if a.flow is None else str(a.flow) for a in acts]
    assert cols["target"] == [None if a.target is None else codec.dump_key(a.target) for a in acts]
    assert cols["type_id"] == [ACTIVITY_TYPE_IDS.get(a.type) for a in acts]
    assert cols["pid"] == [pids.get(a.person) for a in acts]
    assert cols["seq"] == list(range(7, 7 + len(acts))) and cols["run"] == [3] * len(acts)
    assert [a for a in acts if type(format_activity(a)) is not str] == []


def test_remembered_times_and_literals_stay_right_past_the_bound(monkeypatch):
    monkeypatch.setattr(transcript._TIMES, "limit", 3)
    monkeypatch.setattr(transcript._LITERALS, "limit", 3)
    acts = [
        Activity(
            T + dt.timedelta(minutes=i % 7), "ann", "Change Data Value", {"field": "f", "old": f"v{i % 5}", "new": i}
        )
        for i in range(40)
    ]
    assert [format_activity(a) for a in acts] == [plain_line(a) for a in acts]
    assert len(transcript._TIMES) <= 3 and len(transcript._LITERALS) <= 3


def test_equal_values_of_other_types_are_not_taken_for_each_other():
    acts = [
        Activity(T, "ann", "Change Data Value", {"field": "f", "old": old, "new": new})
        for old, new in [(1, True), (True, 1), (1.0, 1), ("1", 1), (dt.date(2026, 1, 5), dt.datetime(2026, 1, 5))]
    ]
    cols = activities.columns(acts, {}, 1, 1)
    assert list(cols["line"][1]) == [plain_line(a) for a in acts]
    assert list(cols["attributes"][1]) == [plain_json({k: to_json(v) for k, v in a.attributes.items()}) for a in acts]


def test_what_the_store_keeps_comes_back_as_history():
    store = Store.open(None)
    acts = [
        Activity(
            T,
            "ann",
            "Send Email",
            {"email": "Welcome", "subject": "Hi"},
            flow=SCORE,
            via=(START,),
            target=("email", "D", "Welcome"),
        ),
        Activity(T, "bob", "Change Score", {"field": "lead_score", "old": None, "new": 5, "change": "+5"}),
    ]
    with store.transaction():
        bulk.insert(store.con, "activities", activities.columns(acts, {"ann": 1, "bob": 2}, 1, 1))
    rows = store.con.execute("SELECT person, time, type, attributes, flow, via, target FROM activities ORDER BY seq")
    back = activities.history(rows.fetchall())
    assert back["ann"] == [
        Activity(
            T,
            "ann",
            "Send Email",
            {"email": "Welcome", "subject": "Hi"},
            flow="Scoring.Score",
            via=("Ops.Start",),
            target=("email", "D", "Welcome"),
        )
    ]
    assert back["bob"][0].attributes == {"field": "lead_score", "old": None, "new": 5, "change": "+5"}
    assert store.con.execute("SELECT line FROM activities ORDER BY seq").fetchall() == [(plain_line(a),) for a in acts]


def test_bulk_writes_every_column_type_and_touches_only_the_rows_given():
    store = Store.open(None)
    con = store.con
    con.execute("CREATE TABLE t (k BIGINT, i INTEGER, d DOUBLE, b BOOLEAN, s VARCHAR, ts TIMESTAMP, day DATE)")
    rows = {
        "k": ("BIGINT", range(1, 5)),
        "i": ("INTEGER", [1, None, 3, 4]),
        "d": ("DOUBLE", [2.5, 3, None, -0.0]),
        "b": ("BOOLEAN", [True, False, None, True]),
        "s": ("VARCHAR", ["a", "Zoë", None, 'q"uote']),
        "ts": ("TIMESTAMP", [T, None, T, T]),
        "day": ("DATE", [dt.date(2026, 1, 5), None, None, dt.date(1999, 12, 31)]),
    }
    with store.transaction():
        bulk.insert(con, "t", rows)
        bulk.update(con, "t", "k", {"k": ("BIGINT", [2, 3]), "s": ("VARCHAR", ["two", None])})
        bulk.delete(con, "t", "k", [4])
    assert con.execute("SELECT * FROM t ORDER BY k").fetchall() == [
        (1, 1, 2.5, True, "a", T, dt.date(2026, 1, 5)),
        (2, None, 3.0, False, "two", None, None),
        (3, 3, None, None, None, T, None),
    ]


def test_rows_written_are_not_held_in_memory_until_the_transaction_ends():
    store = Store.open(None)
    pool = pa.system_memory_pool()
    with store.transaction():
        for i in range(20):
            bulk.insert(store.con, "entries", {"pid": ("BIGINT", range(i * 10_000, (i + 1) * 10_000))})
        gc.collect()
        assert pool.bytes_allocated() < 1_000_000  # 20 batches of 80 KB, none kept
    assert store.con.execute("SELECT count(*) FROM entries").fetchone()[0] == 200_000


@pytest.mark.parametrize("fails", [False, True])
def test_a_run_leaves_the_collector_as_it_found_it(tmp_path, capsys, monkeypatch, fails):
    campaigns = write_campaigns(tmp_path)
    db = tmp_path / "s.duckdb"
    assert run_mkc(capsys, "db", "import", people_csv(tmp_path, 5), "--db", db)[0] == 0
    if fails:
        from mkc.store import batches

        def broken(self, changes):
            raise RuntimeError("disk on fire")

        monkeypatch.setattr(batches.StoreSource, "write", broken)
    # (the reference interpreter's run: the columnar engine, which runs Welcome otherwise, writes no batches)
    with pytest.raises(RuntimeError) if fails else contextlib.nullcontext():
        run_mkc(capsys, "run", campaigns, "--campaign", "Welcome", "--db", db, "--engine", "reference")
    assert gc.get_freeze_count() == 0 and gc.isenabled()
