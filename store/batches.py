"""People in and out of the store, batch by batch: the `PeopleSource` a run
pulls from (`StoreSource`), and writing people the interpreter made (the
file's declared people, when a new database starts with them).

A batch is a range of `_pid`s, read with one query per table; what changed
goes back in bulk, column by column (`bulk.py`), so memory holds one batch
however many people the database has.
"""

from __future__ import annotations

import attrs
import pyarrow as pa

from mkc.interpreter.runtime import Activity, BatchChanges, PeopleBatch, PersonState, Wait
from mkc.store import activities, bulk, codec
from mkc.store.db import Store, column_type, fits, storable
from mkc.store.rest_ids import number_people
from mkc.store.schema import quote

# People per batch: the interpreter holds one batch at a time. The batch
# decides how activities of different people at one moment interleave (a
# trigger's flows run after the batch), so it is part of what a run prints.
# Each batch costs some ten statements of a millisecond or more: over
# 1,000,000 people, 5,000 ran 6 % faster than 2,000.
BATCH_SIZE = 2000
_NO_CONTEXT = codec.dumps({"my": {}})  # a waiting flow's token context, when it has none


def campaign_name(key: tuple) -> str:
    """`Program.Campaign` from a campaign key (kind, workspace, program, campaign)."""
    return f"{key[-2]}.{key[-1]}"


def wait_context(overrides: dict, trigger: dict | None) -> str:
    """A waiting flow's token context as the `waits` table keeps it: API My Tokens and `trigger.*`."""
    if not overrides and trigger is None:  # most waits: no API My Tokens, no trigger
        return _NO_CONTEXT
    context = {"my": overrides}
    if trigger is not None:
        context["trigger"] = trigger
    return codec.dumps(context)


@attrs.define
class BatchWrite:
    """What writing back one batch puts in the database (`StoreSource.plan`):
    the `_pid` range read; the changed people (by `_pid`, in its order), the
    fields that changed for any of them, those whose memberships changed and
    the pids that had memberships before; the pids deleted; the new
    activities, entries and waits as Arrow tables, in the order written, without
    `seq` and `run`; whether the batch had stored waits (they are replaced)."""

    range: tuple[int, int]
    people: list[tuple[int, PersonState]]
    fields: set[str]
    members: list[tuple[int, PersonState]]
    had: list[int]
    deleted: list[int]
    activities: pa.Table
    entries: pa.Table
    waits: pa.Table
    had_waits: bool


class StoreSource:
    """The people of a store for one run (`mkc.interpreter.PeopleSource`).

    `batches()` hands them over in the database's order; `write(changes)` puts
    back what the run did to the last batch: new field values and memberships,
    deleted people, activities, campaign entries and waits."""

    def __init__(self, store: Store, run: int, batch_size: int = BATCH_SIZE):
        self.store = store
        self.con = store.con
        self.run = run
        self.batch_size = batch_size
        # The current batch: handle -> _pid, handle -> its row as read (to write
        # back only the fields that changed), handle -> (lists, programs) as
        # read for those who had any, and whether it had waits to replace.
        self._pids: dict[str, int] = {}
        self._rows: dict[str, tuple] = {}
        self._members: dict[str, tuple[dict, dict]] = {}
        self._waits = False
        self._fields_of = None
        self._range = (0, -1)
        self._seq = int(store.meta("next_seq") or 1)
        self.total = store.count_people()

    # ---- reading -------------------------------------------------------------------

    def ranges(self) -> list[tuple[int, int]]:
        """The `_pid` ranges of the batches, in order."""
        return self.con.execute(
            "SELECT min(_pid), max(_pid) FROM (SELECT _pid, (row_number() OVER (ORDER BY _pid) - 1) // ? AS b "
            "FROM people) GROUP BY b ORDER BY b",
            [self.batch_size],
        ).fetchall()

    def batches(self):
        for lo, hi in self.ranges():
            yield self.batch(lo, hi)

    def batch(self, lo: int, hi: int) -> PeopleBatch:
        self._range = (lo, hi)
        con, load_key = self.con, codec.load_key
        select = ", ".join(["_pid", "id", "_extra", *(quote(n) for n in self.store.columns())])
        fields_of = self._fields_of = fields_reader(self.store)
        found = con.execute(
            f"SELECT {select} FROM people WHERE _pid BETWEEN ? AND ? ORDER BY _pid", [lo, hi]
        ).fetchall()
        people = {row[1]: PersonState(row[1], fields_of(row)) for row in found}
        handles = {row[0]: row[1] for row in found}
        had: set[str] = set()  # who has memberships: they are compared when written back
        for pid, key, name in con.execute(
            "SELECT pid, list_key, list FROM list_members WHERE pid BETWEEN ? AND ? ORDER BY rowid", [lo, hi]
        ).fetchall():
            handle = handles.get(pid)
            if handle is not None:
                people[handle].lists[load_key(key)] = name
                had.add(handle)
        for pid, key, status in con.execute(
            "SELECT pid, program_key, status FROM program_members WHERE pid BETWEEN ? AND ? ORDER BY rowid", [lo, hi]
        ).fetchall():
            handle = handles.get(pid)
            if handle is not None:
                people[handle].programs[load_key(key)] = status
                had.add(handle)
        entries = {
            (load_key(key), handles[pid]): when
            for pid, key, when in con.execute(
                # in the order they were first written (the dict's order is the order entries are written back)
                "SELECT pid, campaign_key, max(time) FROM entries WHERE pid BETWEEN ? AND ? "
                "GROUP BY pid, campaign_key ORDER BY min(rowid)",
                [lo, hi],
            ).fetchall()
            if pid in handles
        }
        waits = []
        for pid, due, key, step, context in con.execute(
            "SELECT pid, due, campaign_key, step, context FROM waits WHERE pid BETWEEN ? AND ? ORDER BY due, seq",
            [lo, hi],
        ).fetchall():
            if pid in handles:
                ctx = codec.load_map(context)
                waits.append(Wait(due, handles[pid], load_key(key), step, ctx.get("my", {}), ctx.get("trigger")))
        self._pids = {row[1]: row[0] for row in found}
        self._rows = {row[1]: row for row in found}
        self._members = {h: (dict(people[h].lists), dict(people[h].programs)) for h in had}
        self._waits = bool(waits)
        return PeopleBatch(people, entries, waits, lambda: self.history(lo, hi, handles))

    def history(self, lo: int, hi: int, handles: dict[int, str]) -> dict[str, list[Activity]]:
        """The batch's past activities, as the conditions on activity history see them."""
        rows = self.con.execute(
            "SELECT pid, time, type, attributes, flow, via, target FROM activities "
            "WHERE pid BETWEEN ? AND ? ORDER BY seq",
            [lo, hi],
        ).fetchall()
        return activities.history((handles[r[0]], *r[1:]) for r in rows if r[0] in handles)

    # ---- writing -------------------------------------------------------------------

    def write(self, changes: BatchChanges) -> None:
        self.apply(self.plan(changes))

    def plan(self, changes: BatchChanges) -> BatchWrite:
        """What writing back the last batch's `changes` puts in the database,
        worked out without writing: rows as Arrow tables, sequence numbers not
        yet given (`apply` gives them). Partitions of one batch, planned apart,
        merge into the batch's plan (mkc.scale)."""
        pids = self._pids
        people, fields, members = self._changed_people(changes.people)
        had = [pids[s.handle] for s in members if s.handle in self._members]
        keys = [key for key, _, _ in changes.entries]
        entries = bulk.arrow(
            {
                "pid": ("BIGINT", [pids[handle] for _, handle, _ in changes.entries]),
                "campaign_key": ("VARCHAR", [codec.dump_key(k) for k in keys]),
                "campaign": ("VARCHAR", [campaign_name(k) for k in keys]),
                "time": ("TIMESTAMP", [when for _, _, when in changes.entries]),
            }
        )
        plan = BatchWrite(
            self._range,
            [(pids[s.handle], s) for s in people],
            fields,
            [(pids[s.handle], s) for s in members],
            had,
            [pids[h] for h in changes.deleted],
            bulk.arrow(activities.columns(changes.activities, pids)),
            entries,
            self._wait_rows(changes.waits),
            self._waits,
        )
        self._pids, self._rows, self._members = {}, {}, {}
        return plan

    def apply(self, plan: BatchWrite) -> None:
        """Write a batch's plan, numbering its activities, then its waits, from the next `seq`."""
        store, con = self.store, self.con
        if plan.people:
            write_people(store, plan.people, True, plan.fields)
            write_members(store, plan.members, plan.had)
        if plan.deleted:
            for table, key in (
                ("people", "_pid"),
                ("list_members", "pid"),
                ("program_members", "pid"),
                ("entries", "pid"),
            ):
                bulk.delete(con, table, key, plan.deleted)
        if plan.activities.num_rows:
            self._insert_numbered("activities", plan.activities)
        if plan.entries.num_rows:
            bulk.insert_table(con, "entries", bulk.with_column(plan.entries, "run", "BIGINT", self.run))
        if plan.had_waits:  # the batch's stored waits are replaced by those still waiting
            con.execute("DELETE FROM waits WHERE pid BETWEEN ? AND ?", list(plan.range))
        if plan.waits.num_rows:
            self._insert_numbered("waits", plan.waits)

    def _insert_numbered(self, table: str, rows) -> None:
        first, self._seq = self._seq, self._seq + rows.num_rows
        rows = bulk.with_column(rows, "seq", "BIGINT", range(first, self._seq))
        if table == "activities":
            rows = bulk.with_column(rows, "run", "BIGINT", self.run)
        bulk.insert_table(self.con, table, rows)

    def _changed_people(self, people: list[PersonState]) -> tuple[list[PersonState], set[str], list[PersonState]]:
        """The changed people; the fields that changed for someone in the
        batch (only those are written); those whose memberships changed."""
        fields_of = self._fields_of  # the batch's columns, as it was read
        fields, members = set(), []
        for state in people:
            was, now = fields_of(self._rows[state.handle]), state.fields
            fields.update(
                k
                for k in was.keys() | now.keys()
                if type(was.get(k)) is not type(now.get(k)) or was.get(k) != now.get(k)
            )
            lists, programs = self._members.get(state.handle, ({}, {}))
            if state.lists != lists or state.programs != programs:
                members.append(state)
        return people, fields, members

    def _wait_rows(self, waits: list[Wait]):
        contexts = [wait_context(w.overrides, w.trigger) for w in waits]
        return bulk.arrow(
            {
                "pid": ("BIGINT", [self._pids[w.person] for w in waits]),
                "due": ("TIMESTAMP", [w.due for w in waits]),
                "campaign_key": ("VARCHAR", [codec.dump_key(w.campaign) for w in waits]),
                "campaign": ("VARCHAR", [campaign_name(w.campaign) for w in waits]),
                "step": ("INTEGER", [w.step for w in waits]),
                "context": ("VARCHAR", contexts),
            }
        )

    def finish(self) -> None:
        """Save the counters this run used."""
        self.store.set_meta("next_seq", self._seq)


def write_people(
    store: Store,
    people: list[tuple[int, PersonState]],
    update: bool,
    fields: set[str] | None = None,
) -> None:
    """Write people's fields: new rows (`update` False), or rows that exist,
    where only the `fields` named (None: all) are written again. A field
    without a column gets one, typed after its value; a value that does not
    fit its column goes to `_extra`, which is written whole."""
    columns = store.columns()
    taken = {name.casefold() for name in columns}  # DuckDB's column names ignore case
    for _, state in people:
        for name, value in state.fields.items():
            if name not in columns and storable(name) and name.casefold() not in taken:
                ctype = column_type(value)
                if ctype is not None:
                    store.add_column(name, ctype)
                    taken.add(name.casefold())
    names = [name for name in columns if fields is None or name in fields]
    values: dict[str, list] = {name: [] for name in names}
    extras = []
    for _, state in people:
        now = state.fields
        extra = {name: value for name, value in now.items() if name not in columns or not fits(value, columns[name])}
        extras.append(codec.dump_map(extra) if extra else None)
        for name in names:
            values[name].append(now.get(name) if name not in extra else None)
    rows = {"_pid": ("BIGINT", [pid for pid, _ in people])}
    if not update:
        rows["id"] = ("VARCHAR", [state.handle for _, state in people])
    rows["_extra"] = ("VARCHAR", extras)
    rows.update({name: (columns[name], values[name]) for name in names})
    if update:
        bulk.update(store.con, "people", "_pid", rows)
    else:
        bulk.insert(store.con, "people", rows)


def write_members(store: Store, people: list[tuple[int, PersonState]], had: list[int]) -> None:
    """Write people's list and program memberships, in place of those that the
    pids `had` had."""
    con = store.con
    if had:
        bulk.delete(con, "list_members", "pid", had)
        bulk.delete(con, "program_members", "pid", had)
    lists = [(pid, key, name) for pid, state in people for key, name in state.lists.items()]
    if lists:
        bulk.insert(
            con,
            "list_members",
            {
                "pid": ("BIGINT", [pid for pid, _, _ in lists]),
                "list_key": ("VARCHAR", [codec.dump_key(key) for _, key, _ in lists]),
                "list": ("VARCHAR", [name for _, _, name in lists]),
            },
        )
    programs = [(pid, key, status) for pid, state in people for key, status in state.programs.items()]
    if programs:
        bulk.insert(
            con,
            "program_members",
            {
                "pid": ("BIGINT", [pid for pid, _, _ in programs]),
                "program_key": ("VARCHAR", [codec.dump_key(key) for _, key, _ in programs]),
                "program": ("VARCHAR", [key[-1] for _, key, _ in programs]),
                "status": ("VARCHAR", [status for _, _, status in programs]),
            },
        )


def add_people(store: Store, people: list[PersonState]) -> int:
    """Add new people at the end of the database's order; returns how many."""
    if not people:
        return 0
    first = store.counter("next_pid", len(people))
    numbered = [(first + i, state) for i, state in enumerate(people)]
    write_people(store, numbered, update=False)
    write_members(store, numbered, had=[])
    number_people(store, [state.handle for state in people])
    return len(people)


def fields_reader(store: Store):
    """A function from a row of `people` (`_pid`, `id`, `_extra`, then the
    field columns) to the person's fields: empty values left out, whole
    numbers of DOUBLE columns as ints, `_extra` where a column is NULL."""
    columns = store.columns()
    names = list(columns)
    doubles = [i for i, name in enumerate(names, 3) if columns[name] == "DOUBLE"]
    load_map = codec.load_map

    def fields_of(row: tuple) -> dict:
        if doubles:
            row = list(row)
            for i in doubles:
                v = row[i]
                if v is not None and v.is_integer():
                    row[i] = int(v)
        fields = {name: v for name, v in zip(names, row[3:]) if v is not None and v != ""}
        if row[2]:
            for name, v in load_map(row[2]).items():
                fields.setdefault(name, v)
        return fields

    return fields_of
