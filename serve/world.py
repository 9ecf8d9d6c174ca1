"""What the REST API does to a database: the same interpreter, store and
field table as `mkc run --db`, a request at a time.

A changing request is one transaction, under one lock (writes are
serialised); each person it touches is loaded as a batch of one, with their
waits, and the work runs as a scenario command would (`Engine.request`, the
`set` and `event` commands: `run_command`), then what it did is written back
(`Interpreter.run_over`). Reads run concurrently, each on its own cursor,
and see what was committed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading

from mkc.checker.model import CampaignInfo, Model
from mkc.grammar import ast
from mkc.interpreter import Interpreter, InterpreterError, PersonState
from mkc.interpreter.records import Ids
from mkc.interpreter.runtime import Keys
from mkc.interpreter.scenario import run_command
from mkc.interpreter.tokens import parse_token_value
from mkc.serve.errors import ApiError
from mkc.stdlib.values import later
from mkc.store import codec
from mkc.store.batches import StoreSource, add_people, fields_reader
from mkc.store.db import Store
from mkc.store.rest_ids import load_ids, next_lead_id, save_ids
from mkc.store.schema import quote

_SCHEDULES = "CREATE TABLE IF NOT EXISTS rest_schedules (due TIMESTAMP, seq BIGINT, campaign VARCHAR, tokens VARCHAR)"
MAX_OCCURRENCES = 100_000  # a declared schedule's runs within one clock move, at most


def _value_ast(value):
    """A field value as the literal a scenario's `set` would hold."""
    if isinstance(value, bool):
        return ast.Bool(value)
    if isinstance(value, (int, float)):
        return ast.Num(value)
    if isinstance(value, dt.datetime):
        return ast.DateTime(value, True)
    if value is None:
        return ast.Null()
    return ast.Str(str(value))  # (text holding a token is refused before: fields.py)


class World:
    def __init__(self, model: Model, store: Store):
        self.model = model
        self.store = store
        self.lock = threading.Lock()
        self._new: list[tuple[int, str]] = []  # people made in this request, not yet announced
        # Reads get their cursors from a connection no query runs on (the main
        # one is busy with writes on other threads), one at a time.
        self._readers = store.con.cursor()
        self._readers_lock = threading.Lock()
        self.keys = Keys(model)
        self.interp = Interpreter(model, schedules=False)
        self.campaigns = {self.keys.id_of(c): c for c in model.campaigns}
        self.lists = {}
        for scope in model.all_scopes:
            for node in scope.assets.get("list", {}).values():
                self.lists[self.keys.id_of(node)] = (node, scope)
        with self.write():
            store.con.execute(_SCHEDULES)
            if not store.count_people() and store.meta("next_run") == "1":  # a new database: the declared people
                add_people(store, [PersonState.declared(p) for p in model.people])
            save_ids(store, Ids.of_model(model, handles=(), extra_fields=store.columns()))
        # While the server runs it alone writes the database: the ids, and the
        # next free whole number for a person, are read once and kept up to date.
        self.ids = load_ids(store)
        self.next_id = next_lead_id(store)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._readers.close()
        self.store.close()

    # ---- transactions --------------------------------------------------------------

    @contextlib.contextmanager
    def write(self):
        """One changing request: the lock, and one transaction (rolled back on any error)."""
        with self.lock:
            next_id = self.next_id if hasattr(self, "next_id") else None
            try:
                with self.store.transaction():
                    yield self.store
            except BaseException as err:
                self.next_id = next_id  # rolled back: the numbers it took are free again
                self._new = []
                if isinstance(err, InterpreterError):  # a runaway run, say: not a bug, and nothing was kept
                    raise ApiError("1003", f"not carried out: {err}") from None
                raise

    @contextlib.contextmanager
    def read(self):
        """A store on a cursor of its own, for one reading request."""
        with self._readers_lock:
            cursor = self._readers.cursor()
        try:
            yield Store(cursor, self.store.path, False)
        finally:
            cursor.close()

    @property
    def clock(self) -> dt.datetime:
        return self.store.clock

    # ---- people --------------------------------------------------------------------

    def find(self, store: Store, field: str, values: list) -> dict:
        """value -> (pid, handle, fields) of the people whose `field` (or `id`) has one of `values`."""
        if not values:
            return {}
        columns = store.columns()
        if field != "id" and field not in columns:
            return {}
        select = ", ".join(["_pid", "id", "_extra", *(quote(n) for n in columns)])
        column = "id" if field == "id" else quote(field)
        marks = ", ".join("?" for _ in values)
        rows = store.con.execute(
            f"SELECT {select} FROM people WHERE CAST({column} AS VARCHAR) IN ({marks}) ORDER BY _pid",
            [str(v) for v in values],
        ).fetchall()
        fields_of = fields_reader(store)
        found = {}
        for row in rows:
            fields = fields_of(row)
            key = row[1] if field == "id" else fields.get(field)
            found.setdefault(str(key), (row[0], row[1], fields))
        return found

    def page_of_people(self, store: Store, field: str, values: list, after: int, size: int) -> list:
        people = sorted(self.find(store, field, values).values())
        return [p for p in people if p[0] > after][: size + 1]

    def _act(self, people: list[tuple[int, str]], work) -> int:
        """Run `work(engine, handle)` for each (pid, handle) now, then the work it
        queued that is due; people whose pids follow each other are loaded as
        one batch (a request's new people, say), the others each on their own.
        Returns the number of activities logged. Inside `write()`."""
        store, now = self.store, self.clock
        run = store.counter("next_run", 1)
        source = StoreSource(store, run)
        current: list[str] = []  # the handles of the batch being run

        def batches():
            for lo, hi, handles in _contiguous(people):
                current[:] = handles
                yield source.batch(lo, hi)

        def each(engine) -> None:
            for handle in current:
                work(engine, handle)

        result = self.interp.run_over(batches(), source, now, now, each)
        source.finish()
        return result.activities

    def create(self, fields: dict) -> tuple[int, str]:
        """A new person with `fields`: the next free whole number is their Id.
        Their person_is_created fires at `created()`, for all of a request's
        new people at once (their pids follow each other: one batch)."""
        handle = str(self.next_id)
        pid = int(self.store.meta("next_pid") or 1)  # (the number add_people gives)
        add_people(self.store, [PersonState(handle, {k: v for k, v in fields.items() if v is not None})])
        self.next_id += 1
        self._new.append((pid, handle))
        return pid, handle

    def created(self) -> None:
        """Fire person_is_created for the people `create` made in this request."""
        new, self._new = self._new, []
        if new:
            self._act(new, lambda engine, h: run_command(engine, ast.Event(h, "person_is_created", (), ())))

    def update(self, pid: int, handle: str, was: dict, fields: dict) -> None:
        """Change the fields that differ, as scenario `set`s: logged, and firing data_value_changes."""
        changed = {k: v for k, v in fields.items() if was.get(k) != v or type(was.get(k)) is not type(v)}
        if not changed:
            return

        def work(engine, h):
            for name, value in changed.items():
                run_command(engine, ast.Set(h, name, _value_ast(value)))

        self._act([(pid, handle)], work)

    def list_member(self, list_id: int, people: list[tuple[int, str]], add: bool) -> None:
        node, _ = self.lists[list_id]

        def work(engine, h):
            if add:
                run_command(engine, ast.Event(h, "added_to_list", (ast.Str(node.name),), ()))
            else:
                engine.run_outside(h, "remove_from_list", {"list": ast.Str(node.name)})
                engine.run_due(engine.rt.now)

        self._act(people, work)

    def request(self, campaign: CampaignInfo, people: list[tuple[int, str]], tokens: dict) -> None:
        def work(engine, h):
            engine.request(campaign, h, "api", None, dict(tokens))
            engine.run_due(engine.rt.now)

        self._act(people, work)

    # ---- the clock and schedules ---------------------------------------------------

    def schedule(self, campaign: CampaignInfo, when: dt.datetime, tokens: dict) -> None:
        con = self.store.con
        seq = self.store.counter("next_seq", 1)
        con.execute(
            "INSERT INTO rest_schedules VALUES (?, ?, ?, ?)",
            [when, seq, codec.dump_key(self.keys(campaign)), codec.dump_map(tokens)],
        )
        if when <= self.clock:
            self.advance(self.clock, include_now=True)

    def _declared(self, since: dt.datetime, until: dt.datetime, include_now: bool):
        """(time, order, campaign, tokens) of the declared schedules' runs after `since`, up to `until`."""
        for order, c in enumerate(self.model.campaigns):
            s = c.schedule
            if c.kind != "batch" or s is None:
                continue
            every = s.every.delta if s.every else None
            when, count = s.at.value, 0
            while when is not None and when <= until and count < MAX_OCCURRENCES:
                if s.until is not None and when > s.until.value:
                    break
                if when > since or (include_now and when == since):
                    yield when, -1, order, c, {}
                    count += 1
                when = later(when, every) if every else None

    def advance(self, to: dt.datetime, include_now: bool = False) -> int:
        """Move the clock to `to`: every schedule due on the way runs at its time
        over everyone, waits go on as they fall due (`mkc run --db ... --until`).
        Returns the number of activities logged. Inside `write()`."""
        store = self.store
        since = self.clock
        by_key = {self.keys(c): c for c in self.model.campaigns}
        due = list(self._declared(since, to, include_now))
        for when, seq, key, tokens in store.con.execute(
            "SELECT due, seq, campaign, tokens FROM rest_schedules WHERE due <= ? ORDER BY due, seq", [to]
        ).fetchall():
            campaign = by_key.get(codec.load_key(key))
            if campaign is not None:
                due.append((when, 0, seq, campaign, codec.load_map(tokens)))
        store.con.execute("DELETE FROM rest_schedules WHERE due <= ?", [to])
        logged = 0
        for when, _, _, campaign, tokens in sorted(due, key=lambda d: d[:3]):
            logged += self._run_batches(campaign, max(when, since), since, tokens)
            since = max(when, since)
            store.set_meta("clock", since.isoformat())
        logged += self._run_batches(None, to, since, {})
        store.set_meta("clock", to.isoformat())
        return logged

    def _run_batches(self, campaign, at: dt.datetime, since: dt.datetime, tokens: dict) -> int:
        store = self.store
        run = store.counter("next_run", 1)
        source = StoreSource(store, run)
        result = self.interp.run_batches(campaign, source, at, at, tokens, since=since)
        source.finish()
        if campaign is not None:
            store.con.execute(
                "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, current_localtimestamp())",
                [run, "mkc serve", campaign.full_name, since, at, at, result.people, result.entered, result.activities],
            )
        return result.activities


def api_tokens(tokens) -> dict:
    """`[{"name": "{{my.x}}", "value": "..."}]` as API My Tokens (name -> AST value)."""
    found = {}
    if tokens is None:
        return found
    if not isinstance(tokens, list):
        raise ApiError("1003", "tokens must be a list of {name, value}")
    for token in tokens:
        if not isinstance(token, dict) or not isinstance(token.get("name"), str):
            raise ApiError("1003", "a token is {name, value}")
        name = token["name"].strip()
        if name.startswith("{{") and name.endswith("}}"):
            name = name[2:-2].strip()
        if not name.casefold().startswith("my.") or not name[3:].strip():
            raise ApiError("1003", f"token {token['name']!r}: only My Tokens ({{{{my.NAME}}}}) can be given")
        value = token.get("value")
        found[name[3:].strip()] = parse_token_value("" if value is None else str(value))
    return found


def _contiguous(people: list[tuple[int, str]]) -> list[tuple[int, int, list[str]]]:
    """(first pid, last pid, handles in the order given) of each run of pids that follow each other."""
    order = {handle: i for i, (_, handle) in enumerate(people)}
    groups: list[list] = []
    for pid, handle in sorted(set(people)):
        if groups and pid == groups[-1][1] + 1:
            groups[-1][1] = pid
            groups[-1][2].append(handle)
        else:
            groups.append([pid, pid, [handle]])
    return [(lo, hi, sorted(handles, key=order.__getitem__)) for lo, hi, handles in groups]
