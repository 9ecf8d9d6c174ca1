"""The interpreter's world: people, memberships, the activity log, run
history, active flags, the virtual clock and the work queue (spec section 7).

Everything here is plain state. Campaigns, programs and assets are kept by
a stable `Key` (kind, workspace, names) rather than by object, so the same
declaration keeps its memberships and history when a file is parsed again
(the REPL swaps models under a running world with `Runtime.use`).
"""

from __future__ import annotations

import datetime as dt
import heapq
import os
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable
from typing import Protocol

import attrs

from mkc.checker.bound import Target
from mkc.checker.model import ASSET_WORDS, CampaignInfo, Model, ProgramInfo, Resolution, ref_text
from mkc.grammar import ast
from mkc.stdlib.activities import ACTIVITIES
from mkc.stdlib.values import duration_delta, from_literal, is_empty

START = dt.datetime(2026, 1, 1, 0, 0)  # the virtual clock's start

# Marketo's activity type ids, where Marketo has one (spec section 8), from the
# table of activities in stdlib/activities.py (which the checker reads too).
ACTIVITY_TYPE_IDS: dict[str, int | None] = {name: a.type_id for name, a in ACTIVITIES.items()}

Key = tuple
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


class InterpreterError(Exception):
    """Something a scenario or a command asked for that cannot be done (it is
    not a step's failure, which is logged as a `Failed Step`)."""


class Unresolved(InterpreterError):
    """A reference that names nothing (in a smart list: the list is invalid)."""


class StepFailure(Exception):
    """A step that cannot run: logged as a Failed Step, and the person's flow stops."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class CampaignName(str):
    """A campaign's full `Program.Campaign` name that also knows its bare name,
    so `expect activity ... campaign=Score` matches `Scoring.Score`."""

    bare: str

    def __new__(cls, campaign: CampaignInfo):
        obj = super().__new__(cls, campaign.full_name)
        obj.bare = campaign.name
        return obj

    def matches(self, text: str) -> bool:
        wanted = text.casefold()
        return wanted in (self.casefold(), self.bare.casefold())


class Keys:
    """Stable keys and Marketo-style ids for one model's campaigns, programs and assets."""

    def __init__(self, model: Model, previous: Keys | None = None):
        # A flow that started under a previous model (the REPL) still holds its
        # objects: they keep their keys.
        self._assets: dict[int, Key] = dict(previous._assets) if previous else {}
        self.scope_of: dict[int, object] = dict(previous.scope_of) if previous else {}  # id(asset) -> its scope
        for scope in model.all_scopes:
            path = tuple(s.name for s in reversed(list(scope.chain())))
            for kind, table in scope.assets.items():
                for name, node in table.items():
                    self._assets[id(node)] = (kind, *path, name)
                    self.scope_of[id(node)] = scope
        # Ids as Marketo shows them: campaigns and programs numbered from 1001
        # in declaration order.
        self._ids = dict(previous._ids) if previous else {}
        self._made: dict[int, tuple[object, Key]] = {}  # id(campaign, program or asset) -> (it, its key)
        self._ids.update({id(c): 1001 + i for i, c in enumerate(model.campaigns)})
        programs = [p for by_name in model.programs.values() for p in by_name.values()]
        self._ids.update({id(p): 1001 + i for i, p in enumerate(programs)})
        # Lists, emails and the other assets the same way, each kind on its own.
        counts: Counter = Counter()
        for scope in model.all_scopes:
            for kind, table in scope.assets.items():
                for node in table.values():
                    self._ids[id(node)] = 1001 + counts[kind]
                    counts[kind] += 1

    def __call__(self, obj) -> Key:
        made = self._made.get(id(obj))
        if made is not None:  # `_made` keeps the object it was made for alive: no other object has its id
            return made[1]
        if isinstance(obj, CampaignInfo):
            key = ("campaign", obj.workspace, obj.program.name, obj.name)
        elif isinstance(obj, ProgramInfo):
            key = ("program", obj.workspace, obj.name)
        else:
            key = self._assets[id(obj)]
        self._made[id(obj)] = (obj, key)  # worked out once (and `obj` kept, so its id stays its own)
        return key

    def id_of(self, obj) -> int:
        return self._ids.get(id(obj), 0)


@attrs.define
class PersonState:
    """One person: fields (a field never set is absent, that is empty), static
    list memberships (list key -> list name) and program memberships (program
    key -> status)."""

    handle: str
    fields: dict[str, object] = attrs.Factory(dict)
    lists: dict[Key, str] = attrs.Factory(dict)
    programs: dict[Key, str] = attrs.Factory(dict)

    @classmethod
    def declared(cls, person: ast.Person) -> PersonState:
        state = cls(person.handle)
        for fv in person.fields:
            value = from_literal(fv.value)
            state.set(fv.field, value.amount if isinstance(value, ast.ScoreChange) else value)
        return state

    def get(self, field: str):
        return self.fields.get(field)

    def set(self, field: str, value) -> None:
        if is_empty(value):
            self.fields.pop(field, None)
        else:
            self.fields[field] = value

    def copy(self) -> PersonState:
        """Another state, the same now, that changes on its own."""
        return PersonState(self.handle, dict(self.fields), dict(self.lists), dict(self.programs))

    def snapshot(self) -> dict:
        """A copy to compare against later: fields, lists and programs by name."""
        return {
            "fields": dict(self.fields),
            "lists": sorted(self.lists.values()),
            "programs": {key[-1]: status for key, status in self.programs.items()},
        }


class PersonView:
    """A person as steps and conditions see them: memberships by list and program."""

    __slots__ = ("state", "keys", "get", "set")

    def __init__(self, state: PersonState, keys: Keys):
        self.state = state
        self.keys = keys
        # `get(field)`, the field's value (None when empty), and `set(field,
        # value)`: steps and filters use them more than anything else, so they
        # are the fields' own `dict.get` and `PersonState.set`, not calls through.
        self.get = state.fields.get
        self.set = state.set

    @property
    def handle(self) -> str:
        return self.state.handle

    def in_list(self, static_list) -> bool:
        return self.keys(static_list) in self.state.lists

    def add_to_list(self, static_list) -> None:
        self.state.lists[self.keys(static_list)] = static_list.name

    def remove_from_list(self, static_list) -> None:
        self.state.lists.pop(self.keys(static_list), None)

    def status(self, program: ProgramInfo) -> str | None:
        """The person's status in `program`, None when not a member."""
        return self.state.programs.get(self.keys(program))

    def set_status(self, program: ProgramInfo, status: str) -> None:
        self.state.programs[self.keys(program)] = status


@attrs.frozen
class Activity:
    """One logged activity. `attributes` keep their order for the transcript;
    `flow` is the campaign whose flow ran the step, `via` its callers inside
    executables (outermost first); `target` is the key of the campaign or asset
    the activity is about, for history conditions."""

    time: dt.datetime
    person: str
    type: str
    attributes: dict = attrs.field(hash=False)
    flow: CampaignName | None = None
    via: tuple[CampaignName, ...] = ()
    target: Key | None = None

    @property
    def type_id(self) -> int | None:
        return ACTIVITY_TYPE_IDS.get(self.type)


class WorkQueue:
    """Work ordered by time, then by the order it was queued: one first-in
    first-out line per moment, and a heap of the moments. A batch run queues
    every person at one moment, so most work goes in and out in O(1)."""

    def __init__(self):
        self._moments: list[dt.datetime] = []  # a heap
        self._lines: dict[dt.datetime, deque] = {}

    def push(self, when: dt.datetime, item) -> None:
        line = self._lines.get(when)
        if line is None:
            line = self._lines[when] = deque()
            heapq.heappush(self._moments, when)
        line.append(item)

    def pop(self, until: dt.datetime | None):
        """The first item due at or before `until` (None: any), as (time, item); None if none is."""
        if not self._moments:
            return None
        when = self._moments[0]
        if until is not None and when > until:
            return None
        line = self._lines[when]
        item = line.popleft()
        if not line:
            del self._lines[when]
            heapq.heappop(self._moments)
        return when, item

    def first(self) -> dt.datetime | None:
        return self._moments[0] if self._moments else None

    def items(self) -> list:
        """Every item, in the order it will run: (time, item)."""
        return [(when, item) for when in sorted(self._lines) for item in self._lines[when]]

    def clear(self) -> None:
        self._moments.clear()
        self._lines.clear()

    def __len__(self) -> int:
        return sum(len(line) for line in self._lines.values())


@attrs.frozen
class Limits:
    """How much one run may do before it is stopped as a runaway (an
    `InterpreterError`, with nothing written to a database): `work` queue
    items in all (a run: one scenario, one campaign run, one batch of people
    from a database, one REPL entry), `memory` bytes more than the process
    held when the run began (where it can tell: Linux), and no work more than `years` of
    simulated time after the clock stood when the command (a scenario
    command, a campaign run, a REPL entry) began. One person looping is
    caught sooner, by `flow.MAX_WORK`."""

    work: int = 1_000_000
    years: int = 100
    memory: int = 640 << 20  # bytes the process may grow by in one run (checked every MEMORY_EVERY items)

    def __attrs_post_init__(self):
        if self.work < 1 or self.years < 1 or self.memory < 1:
            raise ValueError("run limits are positive")


MEMORY_EVERY = 1024  # queue items between two looks at the process's memory (a look costs a file read)


def memory_in_use() -> int:
    """The process's resident memory in bytes (Linux's /proc), or 0 where
    that cannot be read: the memory limit then goes unchecked."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return 0


class WorkCount:
    """How many queue items each person has run in one command, to stop a
    runaway loop: `passes(who)` counts an item of `who` and says whether they
    have now run more than `limit`.

    A batch run is one item for each of many people, none near the limit, and
    counting each in a dict costs more than running some steps. So items are
    only listed, and counted per person (`Counter.update`, in C) when the
    items listed since the last count could take someone past the limit:
    until then, nobody can have passed it."""

    def __init__(self, limit: int):
        self.limit = limit
        self.counted: Counter = Counter()  # items per person, up to the last count
        self.most = 0  # the most items anyone had then
        self.listed: list = []  # who ran each item since

    def passes(self, who) -> bool:
        listed = self.listed
        listed.append(who)
        if self.most + len(listed) <= self.limit:  # nobody has more than `most` + those since
            return False
        counted = self.counted
        counted.update(listed)
        self.most = max(self.most, max(counted[w] for w in set(listed)))
        listed.clear()
        return counted[who] > self.limit  # (only `who` has more than before this item)


class Runtime:
    """The world one scenario (or one campaign run, or a REPL session) runs in."""

    def __init__(self, model: Model, start: dt.datetime = START, limits: Limits | None = None):
        self.model = model
        self.keys = Keys(model)
        self.now = start
        self.limits = limits or Limits()
        self.work_done = 0  # queue items run since the run began (`begin_run`), against `limits.work`
        self.memory_at_start = memory_in_use()  # against `limits.memory`
        self.people: dict[str, PersonState] = {p.handle: PersonState.declared(p) for p in model.people}
        self.deleted: dict[str, PersonState] = {}
        self.log: list[Activity] = []
        self._log_of: dict[str, list[Activity]] = defaultdict(list)  # by person, built on demand
        # What the history conditions ask (was sent an email, was executed a campaign), as a set
        # per person beside `_log_of`: asked in a loop, scanning the log each time was quadratic.
        self._done_of: dict[str, set] = defaultdict(set)
        self._indexed: tuple[list[Activity], int] = (self.log, 0)  # the log `_log_of` covers, and how far
        self.history: dict[tuple[Key, str], list[dt.datetime]] = {}
        self.active: dict[Key, bool] = {}  # activate/deactivate; otherwise the campaign's own `active`
        self._queue = WorkQueue()
        self._resolved: dict = {}
        self._loaded: dict[str, PersonState] = {}  # people as a store handed them over (`load`)
        self._entered: set = set()  # (campaign key, handle) with an entry from before `load`
        self._earlier: Callable[[], dict[str, list[Activity]]] | None = None  # their past activities, not yet asked for

    def begin_run(self) -> None:
        """A new run starts counting its work, and its memory, afresh (see `Limits`)."""
        self.work_done = 0
        self.memory_at_start = memory_in_use()

    def use(self, model: Model) -> None:
        """Go on with a new model (the same file, edited): state is kept by key."""
        self.model = model
        self.keys = Keys(model, self.keys)
        self._resolved.clear()

    def resolve(self, kind: str, ref, scope):
        """What `ref` names, seen from `scope` (None: from a scenario, outside
        every workspace). Raises Unresolved."""
        if not isinstance(ref, (ast.Ref, ast.Str)):
            raise Unresolved(f"{ref} does not name a {ASSET_WORDS.get(kind, kind)}")
        parts = ref.parts if isinstance(ref, ast.Ref) else (ref.text,)
        cache_key = (kind, parts, id(scope))
        res = self._resolved.get(cache_key)
        if res is None:
            res = self.model.resolve(kind, ref, scope) if scope is not None else self.model.resolve_global(kind, ref)
            self._resolved[cache_key] = res
        return _found(kind, ref, res)

    def target(self, target: Target):
        """What a reference the checker bound names (`mkc.checker.bound`). Raises Unresolved."""
        if target.resolution is None:
            raise Unresolved(f"{target.node} does not name a {ASSET_WORDS.get(target.kind, target.kind)}")
        return _found(target.kind, target.node, target.resolution)

    def view(self, handle: str) -> PersonView | None:
        state = self.people.get(handle)
        return PersonView(state, self.keys) if state is not None else None

    # ---- people and the log ----------------------------------------------------

    def person(self, handle: str) -> PersonState | None:
        return self.people.get(handle)

    def delete(self, handle: str) -> None:
        state = self.people.pop(handle, None)
        if state is not None:
            self.deleted[handle] = state

    def logger(self, type_: str, target: Key | None = None):
        """`log(frame, attributes)`: log an activity of `type_` about `target`
        (a key) for the frame's person (`frame.handle`), in its flow
        (`frame.flow`, `frame.via`). A step logs through one made when its flow
        is compiled: what it logs of its own is only its attributes."""

        def log(frame, attributes: dict) -> None:
            self.log.append(Activity(self.now, frame.handle, type_, attributes, frame.flow, frame.via, target))

        return log

    def activities_of(self, handle: str) -> list[Activity]:
        if self._earlier is not None:
            self._load_earlier()
        self._index_log()
        return self._log_of.get(handle, [])

    def has_done(self, handle: str, type_: str, target: Key) -> bool:
        """Whether the person's history holds a Send Email of this email or a
        qualified Executed Campaign of this campaign (`history_fact`)."""
        self.activities_of(handle)  # brings the index up to date
        return (type_, target) in self._done_of.get(handle, ())

    def _learn(self, handle: str, activities) -> None:
        done = self._done_of[handle]
        for activity in activities:
            fact = history_fact(activity)
            if fact is not None:
                done.add(fact)

    def _index_log(self) -> None:
        """Bring the per-person index of the log up to date. It is built when
        history is first asked for, so a run that never asks builds none."""
        indexed, done = self._indexed
        if indexed is not self.log:  # a new log (`load`), with a new index
            done = 0
        log = self.log
        for i in range(done, len(log)):  # not islice: it would walk the whole log to skip what is indexed
            activity = log[i]
            self._log_of[activity.person].append(activity)
            fact = history_fact(activity)
            if fact is not None:
                self._done_of[activity.person].add(fact)
        self._indexed = (self.log, len(self.log))

    # ---- campaigns: active flags and qualification rules -------------------------

    def is_active(self, campaign: CampaignInfo) -> bool:
        return self.active.get(self.keys(campaign), campaign.active)

    def set_active(self, campaign: CampaignInfo, active: bool) -> None:
        self.active[self.keys(campaign)] = active

    def may_enter(self, campaign: CampaignInfo, handle: str) -> bool:
        """The campaign's qualification rule: `once` (the default), `every_time`,
        or `once_every D` counted from the last time the person entered."""
        entries = self.history.get((self.keys(campaign), handle))
        if not entries:
            return True
        rule = campaign.qualification
        mode = rule.mode if rule else "once"
        if mode == "every_time":
            return True
        if mode == "once_every" and rule.period is not None:
            period = duration_delta(rule.period)  # (None: longer than the clock's range, so never again)
            return period is not None and self.now - entries[-1] >= period
        return False

    def record_entry(self, campaign: CampaignInfo, handle: str) -> None:
        self.history.setdefault((self.keys(campaign), handle), []).append(self.now)

    # ---- the work queue: ordered by time, then by the order work was queued ------

    def enqueue(self, when: dt.datetime, item) -> None:
        self._queue.push(when, item)

    def next_due(self) -> dt.datetime | None:
        """When the first queued item is due; None if nothing is queued."""
        return self._queue.first()

    def pop_due(self, until: dt.datetime | None):
        """The next item due at or before `until` (None: any), as (time, item)."""
        return self._queue.pop(until)

    @property
    def pending(self) -> list:
        """Queued work, in the order it will run: (time, item)."""
        return self._queue.items()

    def drop_pending(self) -> None:
        self._queue.clear()

    # ---- people from a store, one batch at a time (`PeopleSource`) ------------------

    def load(self, batch: PeopleBatch) -> None:
        """Make `batch` the world: its people, their last campaign entries, and
        their past activities when a condition first asks; the log and the queue
        start empty (the caller queues the batch's waits). `changes` then tells
        what a run did to them."""
        self.people = dict(batch.people)
        self.deleted = {}
        self.log = []
        self._log_of = defaultdict(list)
        self._done_of = defaultdict(set)
        self.history = {key: [when] for key, when in batch.entries.items()}
        self._queue.clear()
        self._loaded = {handle: state.copy() for handle, state in self.people.items()}
        self._entered = set(batch.entries)
        self._earlier = batch.history

    def _load_earlier(self) -> None:
        earlier, self._earlier = self._earlier, None
        for handle, activities in earlier().items():
            self._log_of[handle][:0] = activities
            self._learn(handle, activities)

    def changes(self, waits: Iterable[Wait] = ()) -> BatchChanges:
        """What happened to the loaded batch since `load`: the people whose fields
        or memberships changed, those deleted, every activity logged, every new
        campaign entry; `waits` are the flows still waiting, to be kept."""
        changed = [state for handle, state in self.people.items() if state != self._loaded.get(handle)]
        entries = [
            (key, handle, when)
            for (key, handle), times in self.history.items()
            for when in times[1 if (key, handle) in self._entered else 0 :]
        ]
        return BatchChanges(changed, list(self.deleted), list(self.log), entries, list(waits))


# ---- people from a store -----------------------------------------------------------
#
# A database of people too large to hold in memory is run batch by batch: a
# `PeopleSource` hands over `PeopleBatch`es (people in the database's order, with
# what the interpreter needs to know of their past), `Runtime.load` makes one the
# world, and after the run `Runtime.changes` gives a `BatchChanges` for the
# source to write back. A flow only ever touches its own person, so running
# people in batches gives each person what a run over everyone would.


@attrs.frozen
class Wait:
    """A flow waiting to go on, as plain data a store can keep: when it is due,
    whose it is, its campaign (by key), the flow step it goes on at, and its token
    context (API My Tokens as AST values; `trigger.*` as values, or None)."""

    due: dt.datetime
    person: str
    campaign: Key
    step: int
    overrides: dict = attrs.field(factory=dict, hash=False)
    trigger: dict | None = attrs.field(default=None, hash=False)


@attrs.define
class PeopleBatch:
    """Some people, in the database's order, with their last entry into each
    campaign ((campaign key, handle) -> time), their waiting flows, and a
    function giving their past activities (handle -> activities, oldest first),
    called only if a condition asks for activity history."""

    people: dict[str, PersonState]
    entries: dict[tuple[Key, str], dt.datetime] = attrs.Factory(dict)
    waits: list[Wait] = attrs.Factory(list)
    history: Callable[[], dict[str, list[Activity]]] | None = None


@attrs.define
class BatchChanges:
    """What a run did to one batch: the people whose fields, lists or programs
    changed (their whole new state), the handles deleted, the activities logged
    (in order), the campaign entries made ((campaign key, handle, time)) and the
    flows still waiting."""

    people: list[PersonState]
    deleted: list[str]
    activities: list[Activity]
    entries: list[tuple[Key, str, dt.datetime]]
    waits: list[Wait]


class PeopleSource(Protocol):
    """Hands a run its people batch by batch, and takes back what changed."""

    def batches(self) -> Iterable[PeopleBatch]: ...

    def write(self, changes: BatchChanges) -> None: ...


def _found(kind: str, ref, res: Resolution):
    """What a resolution found, or Unresolved saying why it found nothing."""
    if res.target is not None:
        return res.target
    word = ASSET_WORDS.get(kind, kind)
    if res.problem == "ambiguous-reference":
        names = sorted(getattr(c, "full_name", None) or getattr(c, "name", "?") for c in res.candidates)
        raise Unresolved(f"`{ref_text(ref)}` names more than one {word} ({', '.join(names)}): qualify it")
    raise Unresolved(f"no {word} named `{ref_text(ref)}`")


def history_fact(activity: Activity) -> tuple[str, Key] | None:
    """What an activity tells the history conditions: ("Send Email", email) or
    ("Executed Campaign", campaign) when it qualified; None for the rest."""
    if activity.type == "Send Email" or (activity.type == "Executed Campaign" and activity.attributes.get("qualified")):
        return activity.type, activity.target
    return None
