"""People in and out of the store, batch by batch: the `PeopleSource` a run
pulls from (`StoreSource`), and writing people the interpreter made (the
file's declared people, when a new database starts with them).

A batch is a range of `_pid`s, read with one query per table; what changed
goes back in bulk through DuckDB appenders (insert, update and delete by key),
so memory holds one batch however many people the database has.
"""

from __future__ import annotations

import json

from mkc.interpreter.runtime import Activity, BatchChanges, PeopleBatch, PersonState, Wait
from mkc.interpreter.transcript import format_activity, to_json
from mkc.store import codec
from mkc.store.db import Store, column_type, fits, storable
from mkc.store.schema import quote

BATCH_SIZE = 2000
_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def campaign_name(key: tuple) -> str:
    """`Program.Campaign` from a campaign key (kind, workspace, program, campaign)."""
    return f"{key[-2]}.{key[-1]}"


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
        self._pids: dict[str, int] = {}  # handle -> _pid, for the current batch
        self._loaded: dict[str, tuple] = {}  # handle -> (fields, lists, programs) as read
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
        con = self.con
        columns = self.store.columns()
        names = list(columns)
        doubles = [i for i, name in enumerate(names) if columns[name] == "DOUBLE"]
        select = ", ".join(["_pid", "id", "_extra", *(quote(n) for n in names)])
        people: dict[str, PersonState] = {}
        loaded: dict[str, dict] = {}  # fields as read, to write back only what changed
        pids: dict[str, int] = {}
        handles: dict[int, str] = {}
        for row in con.execute(
            f"SELECT {select} FROM people WHERE _pid BETWEEN ? AND ? ORDER BY _pid", [lo, hi]
        ).fetchall():
            pid, handle, extra = row[0], row[1], row[2]
            values = list(row[3:])
            for i in doubles:
                v = values[i]
                if v is not None and v.is_integer():
                    values[i] = int(v)
            fields = {name: v for name, v in zip(names, values) if v is not None and v != ""}
            if extra:
                for name, v in codec.load_map(extra).items():
                    fields.setdefault(name, v)
            people[handle] = PersonState(handle, fields)
            loaded[handle] = dict(fields)
            pids[handle] = pid
            handles[pid] = handle
        for pid, key, name in con.execute(
            "SELECT pid, list_key, list FROM list_members WHERE pid BETWEEN ? AND ? ORDER BY rowid", [lo, hi]
        ).fetchall():
            if pid in handles:
                people[handles[pid]].lists[codec.load_key(key)] = name
        for pid, key, status in con.execute(
            "SELECT pid, program_key, status FROM program_members WHERE pid BETWEEN ? AND ? ORDER BY rowid", [lo, hi]
        ).fetchall():
            if pid in handles:
                people[handles[pid]].programs[codec.load_key(key)] = status
        entries = {
            (codec.load_key(key), handles[pid]): when
            for pid, key, when in con.execute(
                "SELECT pid, campaign_key, max(time) FROM entries WHERE pid BETWEEN ? AND ? GROUP BY pid, campaign_key",
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
                waits.append(Wait(due, handles[pid], codec.load_key(key), step, ctx.get("my", {}), ctx.get("trigger")))
        self._pids = pids
        self._loaded = {h: (loaded[h], dict(p.lists), dict(p.programs)) for h, p in people.items()}
        return PeopleBatch(people, entries, waits, lambda: self.history(lo, hi, handles))

    def history(self, lo: int, hi: int, handles: dict[int, str]) -> dict[str, list[Activity]]:
        """The batch's past activities, as the conditions on activity history see them."""
        found: dict[str, list[Activity]] = {}
        for pid, when, type_, attributes, flow, via, target in self.con.execute(
            "SELECT pid, time, type, attributes, flow, via, target FROM activities "
            "WHERE pid BETWEEN ? AND ? ORDER BY seq",
            [lo, hi],
        ).fetchall():
            handle = handles.get(pid)
            if handle is None:
                continue
            found.setdefault(handle, []).append(
                Activity(
                    when,
                    handle,
                    type_,
                    json.loads(attributes),
                    flow=flow,
                    via=tuple(json.loads(via)),
                    target=codec.load_key(target) if target else None,
                )
            )
        return found

    # ---- writing -------------------------------------------------------------------

    def write(self, changes: BatchChanges) -> None:
        pids = self._pids
        con = self.con
        if changes.people:
            fields, members = set(), set()
            for state in changes.people:
                was, lists, programs = self._loaded[state.handle]
                now = state.fields
                fields.update(
                    k
                    for k in was.keys() | now.keys()
                    if type(was.get(k)) is not type(now.get(k)) or was.get(k) != now.get(k)
                )
                if state.lists != lists or state.programs != programs:
                    members.add(pids[state.handle])
            write_people(self.store, [(pids[s.handle], s) for s in changes.people], True, fields, members)
        if changes.deleted:
            gone = [(pids[h],) for h in changes.deleted]
            for table, key in (
                ("people", "_pid"),
                ("list_members", "pid"),
                ("program_members", "pid"),
                ("entries", "pid"),
            ):
                with con.appender(table, action="delete", key=[key]) as app:
                    app.append_rows(gone)
        if changes.activities:
            with con.appender("activities") as app:
                app.append_rows(self._activity_rows(changes.activities))
        if changes.entries:
            with con.appender("entries") as app:
                app.append_rows(
                    (pids[handle], codec.dump_key(key), campaign_name(key), when, self.run)
                    for key, handle, when in changes.entries
                )
        con.execute("DELETE FROM waits WHERE pid BETWEEN ? AND ?", list(self._range))
        if changes.waits:
            rows = []
            for w in changes.waits:
                context = {"my": w.overrides}
                if w.trigger is not None:
                    context["trigger"] = w.trigger
                rows.append(
                    (
                        pids[w.person],
                        w.due,
                        self._seq,
                        codec.dump_key(w.campaign),
                        campaign_name(w.campaign),
                        w.step,
                        codec.dumps(context),
                    )
                )
                self._seq += 1
            with con.appender("waits") as app:
                app.append_rows(rows)
        self._pids, self._loaded = {}, {}

    def _activity_rows(self, activities: list[Activity]):
        pids, run, key = self._pids, self.run, codec.dump_key
        for seq, act in enumerate(activities, self._seq):
            yield (
                seq,
                run,
                act.time,
                pids.get(act.person),
                act.person,
                act.type,
                act.type_id,
                _json({name: to_json(v) for name, v in act.attributes.items()}),
                None if act.flow is None else str(act.flow),
                _json([str(c) for c in act.via]) if act.via else "[]",
                key(act.target) if act.target is not None else None,
                format_activity(act),
            )
        self._seq += len(activities)

    def finish(self) -> None:
        """Save the counters this run used."""
        self.store.set_meta("next_seq", self._seq)


def write_people(
    store: Store,
    people: list[tuple[int, PersonState]],
    update: bool,
    fields: set[str] | None = None,
    members: set[int] | None = None,
) -> None:
    """Write people: new rows (`update` False), or rows that exist, where only
    the `fields` named (None: all) and the memberships of the `members` pids
    (None: all) are written again. A field without a column gets one, typed
    after its value; a value that does not fit its column goes to `_extra`,
    which is written whole."""
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
    rows = []
    for pid, state in people:
        extra = {
            name: value for name, value in state.fields.items() if name not in columns or not fits(value, columns[name])
        }
        values = [state.fields.get(name) if name not in extra else None for name in names]
        extra_text = codec.dump_map(extra) if extra else None
        rows.append((pid, extra_text, *values) if update else (pid, state.handle, extra_text, *values))
    con = store.con
    if update:
        with con.appender("people", columns=["_pid", "_extra", *names], action="update", key=["_pid"]) as app:
            app.append_rows(rows)
        if members is not None:
            people = [(pid, state) for pid, state in people if pid in members]
        if not people:
            return
        keys = [(pid,) for pid, _ in people]
        for table in ("list_members", "program_members"):
            with con.appender(table, action="delete", key=["pid"]) as app:
                app.append_rows(keys)
    else:
        with con.appender("people", columns=["_pid", "id", "_extra", *names]) as app:
            app.append_rows(rows)
    with con.appender("list_members") as app:
        app.append_rows((pid, codec.dump_key(key), name) for pid, state in people for key, name in state.lists.items())
    with con.appender("program_members") as app:
        app.append_rows(
            (pid, codec.dump_key(key), key[-1], status)
            for pid, state in people
            for key, status in state.programs.items()
        )


def add_people(store: Store, people: list[PersonState]) -> int:
    """Add new people at the end of the database's order; returns how many."""
    if not people:
        return 0
    first = store.counter("next_pid", len(people))
    write_people(store, [(first + i, state) for i, state in enumerate(people)], update=False)
    return len(people)
