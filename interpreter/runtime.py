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
import itertools
from collections import defaultdict

import attrs

from mkc.checker.model import ASSET_WORDS, CampaignInfo, Model, ProgramInfo, ref_text
from mkc.grammar import ast
from mkc.stdlib.values import from_literal, is_empty

START = dt.datetime(2026, 1, 1, 0, 0)  # the virtual clock's start

# Marketo's activity type ids, where Marketo has one (spec section 8). The
# activities that scenario events record (Fill Out Form, New Person) use
# Marketo's ids too.
ACTIVITY_TYPE_IDS: dict[str, int | None] = {
    "Change Score": 22,
    "Change Data Value": 13,
    "Change Program Status": 104,
    "Add to List": 24,
    "Remove from List": 25,
    "Send Email": 6,
    "Send Alert": 38,
    "Interesting Moment": 46,
    "Call Webhook": 110,
    "Delete Person": 37,
    "Request Campaign": 47,
    "Executed Campaign": None,
    "Remove from Flow": None,
    "Failed Step": None,
    "Fill Out Form": 2,
    "New Person": 12,
}

Key = tuple


class InterpreterError(Exception):
    """Something a scenario or a command asked for that cannot be done (it is
    not a step's failure, which is logged as a `Failed Step`)."""


class Unresolved(InterpreterError):
    """A reference that names nothing (in a smart list: the list is invalid)."""


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
        self._ids.update({id(c): 1001 + i for i, c in enumerate(model.campaigns)})
        programs = [p for by_name in model.programs.values() for p in by_name.values()]
        self._ids.update({id(p): 1001 + i for i, p in enumerate(programs)})

    def __call__(self, obj) -> Key:
        if isinstance(obj, CampaignInfo):
            return ("campaign", obj.workspace, obj.program.name, obj.name)
        if isinstance(obj, ProgramInfo):
            return ("program", obj.workspace, obj.name)
        return self._assets[id(obj)]

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

    def snapshot(self) -> dict:
        """A copy to compare against later: fields, lists and programs by name."""
        return {
            "fields": dict(self.fields),
            "lists": sorted(self.lists.values()),
            "programs": {key[-1]: status for key, status in self.programs.items()},
        }


class PersonView:
    """A person as steps and conditions see them: memberships by list and program."""

    def __init__(self, state: PersonState, keys: Keys):
        self.state = state
        self.keys = keys

    @property
    def handle(self) -> str:
        return self.state.handle

    def get(self, field: str):
        return self.state.get(field)

    def set(self, field: str, value) -> None:
        self.state.set(field, value)

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


class Runtime:
    """The world one scenario (or one campaign run, or a REPL session) runs in."""

    def __init__(self, model: Model, start: dt.datetime = START):
        self.model = model
        self.keys = Keys(model)
        self.now = start
        self.people: dict[str, PersonState] = {p.handle: PersonState.declared(p) for p in model.people}
        self.deleted: dict[str, PersonState] = {}
        self.log: list[Activity] = []
        self._log_of: dict[str, list[Activity]] = defaultdict(list)
        self.history: dict[tuple[Key, str], list[dt.datetime]] = {}
        self.active: dict[Key, bool] = {}  # activate/deactivate; otherwise the campaign's own `active`
        self._queue: list = []
        self._seq = itertools.count()
        self._resolved: dict = {}

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
        if cache_key not in self._resolved:
            res = self.model.resolve(kind, ref, scope) if scope is not None else self.model.resolve_global(kind, ref)
            self._resolved[cache_key] = res.target
        target = self._resolved[cache_key]
        if target is None:
            raise Unresolved(f"no {ASSET_WORDS.get(kind, kind)} named `{ref_text(ref)}`")
        return target

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

    def add(self, activity: Activity) -> Activity:
        self.log.append(activity)
        self._log_of[activity.person].append(activity)
        return activity

    def activities_of(self, handle: str) -> list[Activity]:
        return self._log_of.get(handle, [])

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
            return self.now - entries[-1] >= rule.period.delta
        return False

    def record_entry(self, campaign: CampaignInfo, handle: str) -> None:
        self.history.setdefault((self.keys(campaign), handle), []).append(self.now)

    # ---- the work queue: ordered by time, then by the order work was queued ------

    def enqueue(self, when: dt.datetime, item) -> None:
        heapq.heappush(self._queue, (when, next(self._seq), item))

    def pop_due(self, until: dt.datetime | None):
        """The next item due at or before `until` (None: any), as (time, item)."""
        if self._queue and (until is None or self._queue[0][0] <= until):
            when, _, item = heapq.heappop(self._queue)
            return when, item
        return None

    @property
    def pending(self) -> list:
        """Queued work, in the order it will run: (time, item)."""
        return [(when, item) for when, _, item in sorted(self._queue, key=lambda e: e[:2])]

    def drop_pending(self) -> None:
        self._queue.clear()
