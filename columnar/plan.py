"""What the columnar engine compiles, or why not.

`plan(model, campaign, columns=None, tokens=None)` gives a `Plan` for a
batch campaign, or `Unsupported(reason)` naming the first construct the
engine does not compile. The plan covers the campaign, every executable its
flow can execute (inlined, in series, with the caller's or its own token
context) and every trigger campaign its steps can fire, and what those fire.
`columns` are the database's field columns (name -> DuckDB type): without
them only the program is looked at; the run plans again with them, since
how a value is shown depends on its column's type.

A flow compiles to a list of ops over the rows of one "wave" of flows (see
`flow.py`), each op at a position that orders what it logs inside a flow:

- `Decide`: a column of the flow's rows worked out from the person now (which
  branch of a choice a person takes; whether an executable admits them);
- `Step`: one flow step for the rows that reach it (`reach`, over the flow's
  columns) and for whom it does something (`when`, over the person): the
  activity it logs, the fields and memberships it sets, the campaign whose
  entry it records, and the trigger campaigns it fires (`Fire`).

SQL names the person's row `p` (the run's working table, `run.py`) and the
flow's row `f`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Mapping

import attrs

from mkc.checker.bound import PARENT_CONTEXT, BoundStep
from mkc.checker.model import CampaignInfo, Model, ProgramInfo
from mkc.columnar import order, values, waits
from mkc.columnar.conditions import ConditionCompiler
from mkc.columnar.tokens import NotCompiled, Renderer
from mkc.columnar.values import Value, sql_text, timestamp
from mkc.grammar import ast
from mkc.interpreter.args import StepArgs, prepare_call
from mkc.interpreter.flow import MAX_DEPTH, Engine
from mkc.interpreter.runtime import ACTIVITY_TYPE_IDS, START, Runtime, StepFailure, Unresolved
from mkc.interpreter.tokens import TokenContext, TokenError
from mkc.stdlib import TRIGGERS
from mkc.stdlib.activities import ACTIVITIES
from mkc.stdlib.triggers import Event, produced_by, token_key
from mkc.stdlib.values import as_number, duration_delta, same
from mkc.store import codec
from mkc.store.batches import campaign_name, wait_context
from mkc.store.db import storable
from mkc.store.schema import quote

# The steps the engine compiles (each below); any other step sends the campaign to the reference.
STEPS = (
    "change_score",
    "change_data_value",
    "change_program_status",
    "add_to_list",
    "remove_from_list",
    "send_email",
    "send_alert",
    "interesting_moment",
    "execute_campaign",
    "request_campaign",
    "do_nothing",
    "wait",
)
# The triggers whose events the engine fires: trigger -> the step that fires it.
TRIGGER_STEPS = {
    "data_value_changes": "change_data_value",
    "score_is_changed": "change_score",
    "added_to_list": "add_to_list",
    "program_status_changes": "change_program_status",
    "campaign_is_requested": "request_campaign",
}
PREFIX = "mkc$"  # the working table's own columns (memberships, entries) start with it


@attrs.frozen
class Unsupported:
    """Why the columnar engine does not run a campaign (the reference does)."""

    reason: str


@attrs.frozen
class Activity:
    """What a step logs: its type, attributes (name -> `Value`, in order),
    the key it is about (JSON text) and the flow and callers it ran in."""

    type: str
    attributes: tuple[tuple[str, Value], ...]
    target: str | None
    flow: str
    via: tuple[str, ...]

    @property
    def type_id(self) -> int | None:
        return ACTIVITY_TYPE_IDS.get(self.type)


@attrs.frozen
class Fire:
    """A trigger campaign a step's event can start: `matches` (SQL over the
    person before the step) says whether the event is one it listens for;
    `tokens` are the event's `trigger.*` texts; `index` orders the campaigns
    one event starts (triggers in declaration order, then listeners)."""

    campaign: CampaignInfo
    index: int
    matches: str
    tokens: tuple[tuple[str, str], ...]  # flow column (TRIGGER_COLUMNS) -> SQL text
    filters: str  # its smart list's filters over the person after the step
    entered: str  # its entry column in the working table
    once: bool  # its qualification rule keeps out who entered (`once`, `once_every`; else every_time)
    key: str  # its key (JSON)


@attrs.frozen
class Decide:
    pos: int
    column: str  # of the flow's rows
    reach: str
    sql: str


@attrs.frozen
class Step:
    pos: int
    reach: str
    when: str | None
    activity: Activity | None
    updates: tuple[tuple[str, str], ...] = ()  # working-table column -> SQL over the person before the step
    fires: tuple[Fire, ...] = ()
    enters: tuple[str, str] | None = None  # (entry column, campaign key JSON) recorded for those it runs for


@attrs.frozen
class Flow:
    """A campaign's flow, compiled: the campaign, its ops, and the flow columns its ops decide."""

    campaign: CampaignInfo
    ops: tuple
    columns: tuple[str, ...]


@attrs.frozen
class Guard:
    """A check of the people who enter, before the run: when `sql` holds for
    one of them, the reference runs the campaign instead (`reason`)."""

    sql: str
    reason: str


@attrs.frozen
class Plan:
    campaign: CampaignInfo
    main: Flow
    triggers: dict  # trigger campaign -> its Flow
    filters: str  # the main campaign's smart list over `p`
    once: bool  # the main campaign's rule keeps out who entered (`once`, `once_every`; else every_time)
    key: str  # the main campaign's key (JSON)
    lists: dict  # list key JSON -> (working column, list name)
    programs: dict  # program key JSON -> (working column, program name)
    entries: dict  # campaign key JSON -> (working column, Program.Campaign)
    fields: dict  # field column -> kind (`values.KINDS`), those the flows read or write
    written: dict  # field column -> kind, those steps write
    guards: tuple[Guard, ...]
    people_guards: tuple[Guard, ...]  # checks over every person (the conditions' fields)
    names: tuple[str, ...]  # every field the flows read or write, with a column or not
    new: tuple[str, ...] = ()  # fields without a column that steps write (text): they get one
    recent: dict = {}  # campaign key JSON -> SQL moment: `once_every`, earlier entries up to it do not count
    waits: bool = False  # a flow has a wait step
    campaign_keys: tuple[str, ...] = ()  # the key of every campaign of the model (whose stored waits go on)


def plan(
    model: Model,
    campaign: CampaignInfo,
    columns: dict | None = None,
    tokens: dict | None = None,
    at=START,
    until=None,
):
    """The campaign's `Plan` for a run at `at` (`system.*`) whose work goes
    on until `until` (default `at`: a wait ending by then would go on in the
    run), or `Unsupported` saying why not (see the module's docstring)."""
    try:
        found = _Compiler(model, columns, tokens or {}, at, until=until).campaign(campaign)
        if found.new:  # again, now that the fields that get a column are known, for who reads them
            found = _Compiler(model, columns, tokens or {}, at, found.new, until).campaign(campaign)
        return found
    except NotCompiled as err:
        return Unsupported(str(err))


class _Compiler:
    def __init__(self, model: Model, columns: dict | None, tokens: dict, at, new=(), until=None):
        self.model = model
        self.at = at
        self.until = until or at
        self.top = 0  # the top-level item of the flow being compiled (a wait goes on after it)
        self.new = frozenset(new)  # fields without a column that steps write (they get one)
        self.new_fields: dict[str, None] = dict.fromkeys(new)
        self.rt = Runtime(model, at)
        self.recent: dict[str, str] = {}
        self.engine = Engine(self.rt)
        self.columns = columns
        self.tokens = tokens
        self.keys = self.rt.keys
        self.renderer = Renderer(self.rt, self.field)
        self.conditions = ConditionCompiler(self.rt, columns, at, self.member_column)
        self.pos = 0
        self.lists: dict[str, tuple[str, str]] = {}
        self.programs: dict[str, tuple[str, str]] = {}
        self.entries: dict[str, tuple[str, str]] = {}
        self.read: dict[str, str] = {}  # field -> kind, every field with a column read or written
        self.names: set[str] = set()  # every field read or written
        self.written: dict[str, str] = {}
        self.json_text: set[str] = set()  # text columns whose values reach JSON text
        self.compared: set[str] = set()  # text columns compared as `same` does
        self.triggers: dict[CampaignInfo, Flow | None] = {}
        self.flow_columns: list[str] = []

    # ---- the campaigns -------------------------------------------------------------

    def campaign(self, campaign: CampaignInfo) -> Plan:
        if campaign.kind != "batch":
            raise NotCompiled(f"{campaign.full_name} is not a batch campaign")
        if self.columns is not None and any(c.casefold().startswith(PREFIX) for c in self.columns):
            raise NotCompiled(f"a field named {PREFIX}...")
        once = self.rule(campaign)
        context = TokenContext(campaign, dict(self.tokens))
        filters = self.conditions.smart_list(campaign, context, live=False)
        main = self.flow(campaign, context, None)
        pending = True
        while pending:  # trigger campaigns compile as the flows that fire them are compiled
            pending = False
            for trigger, flow in list(self.triggers.items()):
                if flow is None:
                    pending = True
                    self.triggers[trigger] = self.flow(trigger, None, trigger)
        _depth(main, self.triggers)
        if self.new_fields.keys() & self.conditions.columns.read:
            raise NotCompiled("a condition on a field that gets its column in this run")
        flows = [main, *self.triggers.values()]
        return Plan(
            campaign,
            main,
            dict(self.triggers),
            filters,
            once,
            codec.dump_key(self.keys(campaign)),
            dict(self.lists),
            dict(self.programs),
            dict(self.entries),
            dict(self.read),
            dict(self.written),
            tuple(self.guards()),
            tuple(Guard(sql, why) for sql, why in self.conditions.guards()),
            tuple(sorted(self.names)),
            tuple(self.new_fields),
            dict(self.recent),
            waits=any(isinstance(op, waits.Wait) for f in flows for op in f.ops),
            campaign_keys=tuple(codec.dump_key(self.keys(c)) for c in self.model.campaigns),
        )

    def rule(self, campaign: CampaignInfo) -> bool:
        """Whether the campaign's qualification rule keeps out someone who
        entered (False: every_time). `once_every D` keeps them out when their
        last entry is less than D before the run (`Runtime.may_enter`): an
        entry of this run always, an earlier one when it is later than `at -
        D`, noted in `recent` for the join against `entries`."""
        rule = campaign.qualification
        mode = rule.mode if rule else "once"
        if mode not in ("once", "every_time", "once_every"):
            raise NotCompiled(f"the qualification rule {mode} ({campaign.full_name})")
        if mode == "once_every" and rule.period is not None:
            period = duration_delta(rule.period)  # (None: longer than the clock's range, so never again)
            if period is not None and period <= dt.timedelta(0):  # (an entry of this run would not count)
                raise NotCompiled(
                    f"the qualification rule once_every {rule.period}: under a microsecond ({campaign.full_name})"
                )
            since = None
            if period is not None:
                with contextlib.suppress(OverflowError):  # (before the clock's range: every entry counts)
                    since = self.at - period
            if since is not None:
                self.recent[codec.dump_key(self.keys(campaign))] = timestamp(since)
        return mode != "every_time"

    def entry_column(self, campaign: CampaignInfo) -> str:
        key = codec.dump_key(self.keys(campaign))
        if key not in self.entries:
            self.entries[key] = (f"{PREFIX}e{len(self.entries)}", campaign.full_name)
        return self.entries[key][0]

    def flow(self, campaign: CampaignInfo, context: TokenContext | None, trigger: CampaignInfo | None) -> Flow:
        """A campaign's flow from its start (`trigger`: a trigger campaign, whose context each event makes)."""
        self.flow_columns = []
        self.pos = 0
        keys = None
        if trigger is not None:
            keys = self.trigger_keys(trigger)
            context = TokenContext(trigger)
        ops: list = []
        self.items(campaign.steps, campaign, context, keys, (), "true", ops, top=True)
        return Flow(campaign, tuple(ops), tuple(self.flow_columns))

    def trigger_keys(self, campaign: CampaignInfo) -> frozenset:
        """The `trigger.*` keys every event that starts the campaign answers."""
        found = None
        for t in campaign.triggers:
            spec = TRIGGERS.get(t.name)
            if spec is None or t.name not in TRIGGER_STEPS:
                raise NotCompiled(f"the trigger {t.name} ({campaign.full_name})")
            keys = frozenset(token_key(k) for k in spec.tokens)
            found = keys if found is None else found & keys
        return found or frozenset()

    # ---- flow items ----------------------------------------------------------------

    def next_pos(self) -> int:
        self.pos += 1
        if self.pos > order.MAX_POS:
            raise NotCompiled(f"a flow of more than {order.MAX_POS} steps, executables included")
        return self.pos

    def items(self, items, campaign, context, keys, callers, reach, ops, top=False) -> None:
        """Flow items for the rows that `reach` them (`top`: a campaign's
        own flow); those that wait at one reach none of the items after it."""
        for index, item in enumerate(items):
            if top:
                self.top = index
            before = len(self.flow_columns)
            if isinstance(item, ast.Choice):
                self.choice(item, campaign, context, keys, callers, reach, ops)
            else:
                self.step(item, campaign, context, keys, callers, reach, ops)
            for column in self.flow_columns[before:]:
                if column.startswith("w"):
                    reach = f"({reach}) AND f.{column} IS NULL"

    def choice(self, choice: ast.Choice, campaign, context, keys, callers, reach, ops) -> None:
        pos = self.next_pos()
        column = f"c{pos}"
        self.flow_columns.append(column)
        asked = _asked(context, keys)
        whens = [self.conditions.condition(w.cond, campaign, asked, live=True) for w in choice.whens]
        cases = " ".join(f"WHEN {cond} THEN {i}" for i, cond in enumerate(whens, 1))
        ops.append(Decide(pos, column, reach, f"CASE {cases} ELSE 0 END" if cases else "0"))
        for i, when in enumerate(choice.whens, 1):
            self.items((when.step,), campaign, context, keys, callers, f"({reach}) AND f.{column} = {i}", ops)
        if choice.default is not None:
            self.items((choice.default,), campaign, context, keys, callers, f"({reach}) AND f.{column} = 0", ops)

    def step(self, node: ast.Step, campaign: CampaignInfo, context, keys, callers, reach, ops) -> None:
        name = node.name
        if name not in STEPS:
            raise NotCompiled(f"{name.replace('_', ' ')} steps")
        bound = self.model.bound.step(campaign, node)
        if bound is None or bound.spec is None:
            raise NotCompiled(f"the step {name} ({campaign.full_name})")
        try:
            args = StepArgs(self.engine, prepare_call(bound, self.rt))
            if name == "do_nothing":
                return
            compile_ = getattr(self, name)
            flow = campaign.full_name
            via = tuple(c.full_name for c in callers)
            compile_(bound, args, _Where(campaign, context, keys, callers, reach, flow, via), ops)
        except StepFailure as failure:  # a reference that names nothing: the step would fail
            raise NotCompiled(f"a step that fails ({failure.reason})") from None

    # ---- values --------------------------------------------------------------------

    def field(self, name: str) -> Value | None:
        """A person's field in the working table (None: no column holds it)."""
        self.names.add(name)
        if self.columns is None:
            return Value(f"p.{quote(name)}", "text")
        ctype = self.columns.get(name)
        if ctype is None and name in self.new:
            ctype = "VARCHAR"
        if ctype is None:
            if any(c.casefold() == name.casefold() for c in self.columns):
                raise NotCompiled(f"the field {name}, whose column is spelt otherwise")
            return None
        kind = values.KINDS.get(ctype)
        if kind is None:
            raise NotCompiled(f"a {ctype.lower()} field ({name}) shown in the log")
        self.read.setdefault(name, kind)
        if kind == "text":
            self.json_text.add(name)
        return Value(f"p.{quote(name)}", kind)

    def text(self, args: StepArgs, param: str, where, node=None) -> Value:
        """An argument (or an asset's property `node`) as text."""
        arg = args.args[param] if node is None else None
        node = node if node is not None else arg.node
        if self.renderer.person_free(node, where.context, where.keys):
            get = args.text(param) if arg is not None else args.text_of(node)
            value = self.renderer.constant(get, where.context)
            if _capital(value):
                raise NotCompiled("a control character in a string")
            return Value.of(value)
        value = self.renderer.text(node, where.context, where.keys)
        return value if value.kind == "text" else Value(values.text(value), "text")  # (a token of a number)

    def constant(self, args: StepArgs, param: str, where, getter) -> object:
        """An argument that must not depend on the person."""
        node = args.args[param].node
        if not self.renderer.person_free(node, where.context, where.keys):
            raise NotCompiled(f"a {param} that depends on the person")
        return self.renderer.constant(getter, where.context)

    def log(self, type_: str, where, attributes, target=None) -> Activity:
        return Activity(
            type_,
            tuple(attributes),
            codec.dump_key(self.keys(target)) if target is not None else None,
            where.flow,
            where.via,
        )

    # ---- the steps -----------------------------------------------------------------

    def change_score(self, bound: BoundStep, args: StepArgs, where, ops) -> None:
        field = args.field("field")
        change, shown = self.constant(args, "change", where, args.score("change"))
        value = self.field(field)
        if self.columns is None:  # (only what compiles is asked: the kind of column is not known)
            value = Value(value.sql, "int")
        if value is None or value.kind not in ("int", "number"):
            raise NotCompiled(f"change_score on {field}, which has no number column")
        if value.kind == "int" and not isinstance(change.amount, int):
            raise NotCompiled(f"a fractional score change on the whole-number field {field}")
        if abs(change.amount) >= 1e12:
            raise NotCompiled("a score change this large")
        self.written[field] = value.kind
        col = value.sql
        base = f"coalesce({col}, 0)"
        amount = repr(change.amount) if isinstance(change.amount, float) else str(change.amount)
        new_sql = amount if change.op == "=" else f"({base} + {amount})"
        new_sql = f"CAST({new_sql} AS {values.SQL_TYPE[value.kind]})"
        new = Value(new_sql, value.kind)
        activity = self.log(
            "Change Score",
            where,
            [("field", Value.of(field)), ("old", value), ("new", new), ("change", Value.of(shown))],
        )
        fires = self.fires(
            "Change Score",
            field,
            where,
            changed=f"{new_sql} <> {base}",
            old=value,
            new=new,
            data={"field": field},
        )
        ops.append(Step(self.next_pos(), where.reach, None, activity, ((field, new_sql),), fires))

    def change_data_value(self, bound: BoundStep, args: StepArgs, where, ops) -> None:
        field = args.field("field")
        new = self.constant(args, "value", where, args.value("value"))
        if isinstance(new, (ast.ScoreChange, ast.TimeOfDay)):
            new = str(new)
        if new is not None and not isinstance(new, str):
            raise NotCompiled(f"change_data_value {field} to a value that is not text")
        value = self.field(field)
        if value is None and self.columns is not None:
            # A field without a column gets one when the store writes it back (`write_people`).
            if not storable(field) or any(c.casefold() == field.casefold() for c in self.columns):
                raise NotCompiled(f"change_data_value on {field}, which cannot have a column")
            if not new:
                raise NotCompiled(f"change_data_value {field}, a field without a column, to an empty value")
            self.new_fields.setdefault(field, None)
            value = self.field(field) if field in self.new else Value(f"p.{quote(field)}", "text")
        if value.kind != "text":
            raise NotCompiled(f"change_data_value on {field}, which has no text column")
        self.written[field] = "text"
        self.compared.add(field)
        if _capital(new):
            raise NotCompiled("a control character in a string")
        when = f"NOT ({_same(value.sql, new)})"
        activity = self.log(
            "Change Data Value", where, [("field", Value.of(field)), ("old", value), ("new", Value.of(new))]
        )
        stored = "CAST(NULL AS VARCHAR)" if new is None or new == "" else sql_text(new)
        fires = self.fires(
            "Change Data Value", field, where, changed="true", old=value, new=Value.of(new), data={"field": field}
        )
        ops.append(Step(self.next_pos(), where.reach, when, activity, ((field, stored),), fires))

    def change_program_status(self, bound: BoundStep, args: StepArgs, where, ops) -> None:
        program = args.target("program")
        wanted = self.constant(args, "status", where, args.text("status"))
        statuses = program.statuses
        column = self.program_column(program)
        status = wanted
        if statuses:
            spelled = {}
            for declared in statuses:
                spelled.setdefault(declared.casefold(), declared)
            status = spelled.get(wanted.casefold())
            if status is None:
                raise NotCompiled(f"a step that fails (program {program.name} has no status {wanted!r})")
        elif not wanted.strip():
            raise NotCompiled("a step that fails (an empty status)")
        if _capital(status):
            raise NotCompiled("a control character in a string")
        old = Value(f"p.{quote(column)}", "text")
        self.compared.add(column)
        self.json_text.add(column)
        unchanged = f"({old.sql} IS NOT NULL AND {_same(old.sql, status)})"
        backwards = "false"
        if statuses:
            place = {}
            for index, declared in enumerate(statuses):
                place.setdefault(declared, index)
            later = [s for s, i in place.items() if i > place[status]]
            if later:
                backwards = f"coalesce({old.sql} IN ({', '.join(sql_text(s) for s in later)}), false)"
        name = Value.of(program.name)
        moved = self.log(
            "Change Program Status", where, [("program", name), ("old", old), ("new", Value.of(status))], program
        )
        kept = self.log(
            "Change Program Status",
            where,
            [
                ("program", name),
                ("old", old),
                ("new", old),
                ("requested", Value.of(status)),
                ("reason", Value.of("a program status never moves backwards")),
            ],
            program,
        )
        pos = self.next_pos()
        ops.append(Step(pos, where.reach, f"NOT {unchanged} AND {backwards}", kept))
        fires = self.fires(
            "Change Program Status",
            program.name,
            where,
            changed="true",
            old=old,
            new=Value.of(status),
            data={"program": program},
        )
        ops.append(
            Step(
                pos, where.reach, f"NOT {unchanged} AND NOT ({backwards})", moved, ((column, sql_text(status)),), fires
            )
        )

    def list_column(self, static_list) -> str:
        key = codec.dump_key(self.keys(static_list))
        if key not in self.lists:
            self.lists[key] = (f"{PREFIX}l{len(self.lists)}", static_list.name)
        return self.lists[key][0]

    def program_column(self, program) -> str:
        key = codec.dump_key(self.keys(program))
        if key not in self.programs:
            self.programs[key] = (f"{PREFIX}p{len(self.programs)}", program.name)
        return self.programs[key][0]

    def member_column(self, target) -> str:
        """The working table's column of a list or program a condition in the
        middle of a flow reads: the membership as the flow left it."""
        return self.program_column(target) if isinstance(target, ProgramInfo) else self.list_column(target)

    def add_to_list(self, bound: BoundStep, args: StepArgs, where, ops) -> None:
        static_list = args.target("list")
        column = self.list_column(static_list)
        activity = self.log("Add to List", where, [("list", Value.of(static_list.name))], static_list)
        fires = self.fires("Add to List", static_list.name, where, "true", None, None, {"list": static_list})
        ops.append(Step(self.next_pos(), where.reach, f"NOT p.{quote(column)}", activity, ((column, "true"),), fires))

    def remove_from_list(self, bound: BoundStep, args: StepArgs, where, ops) -> None:
        static_list = args.target("list")
        column = self.list_column(static_list)
        activity = self.log("Remove from List", where, [("list", Value.of(static_list.name))], static_list)
        ops.append(Step(self.next_pos(), where.reach, f"p.{quote(column)}", activity, ((column, "false"),)))

    def send_email(self, bound: BoundStep, args: StepArgs, where, ops) -> None:
        email = args.target("email")
        node = email.prop("subject")
        subject = self.text(args, None, where, node) if node is not None else Value.of("")
        activity = self.log("Send Email", where, [("email", Value.of(email.name)), ("subject", subject)], email)
        ops.append(Step(self.next_pos(), where.reach, None, activity))

    def send_alert(self, bound: BoundStep, args: StepArgs, where, ops) -> None:
        email = args.target("email")
        activity = self.log(
            "Send Alert", where, [("email", Value.of(email.name)), ("to", self.text(args, "to", where))], email
        )
        ops.append(Step(self.next_pos(), where.reach, None, activity))

    def interesting_moment(self, bound: BoundStep, args: StepArgs, where, ops) -> None:
        attributes = [("type", self.text(args, "type", where)), ("description", self.text(args, "description", where))]
        ops.append(Step(self.next_pos(), where.reach, None, self.log("Interesting Moment", where, attributes)))

    def execute_campaign(self, bound: BoundStep, args: StepArgs, where, ops) -> None:
        target = args.target("campaign")
        written = bound.args.get(PARENT_CONTEXT)
        if not isinstance(written, (ast.Bool, bool, type(None))):  # (a token: the reference answers it when it runs)
            raise NotCompiled(f"{PARENT_CONTEXT} given otherwise than true or false")
        use_parent = bound.parent_context
        caller = where.campaign
        if target.kind != "executable":
            raise NotCompiled(f"a step that fails ({target.full_name} is not an executable campaign)")
        if target.workspace != caller.workspace:
            raise NotCompiled("a step that fails (an executable of another workspace)")
        if len(where.callers) + 1 > MAX_DEPTH:
            raise NotCompiled("a step that fails (Execute Campaign nested too deep)")
        once = self.rule(target)
        context = where.context.passed_to(target) if use_parent else self.engine.own_context(target)
        keys = where.keys if use_parent else None
        entered = self.entry_column(target)
        filters = self.conditions.smart_list(target, _asked(context, keys), live=True)
        pos = self.next_pos()
        column = f"x{pos}"
        self.flow_columns.append(column)
        admits = f"coalesce(({filters})" + (f" AND NOT p.{quote(entered)}" if once else "") + ", false)"
        ops.append(Decide(pos, column, where.reach, admits))
        activity = self.log(
            "Executed Campaign",
            where,
            zip(
                ACTIVITIES["Executed Campaign"].attributes,  # campaign, qualified, the parent-context flag
                (Value.of(target.full_name), Value(f"f.{column}", "bool"), Value.of(use_parent)),
                strict=True,
            ),
            target,
        )
        key = codec.dump_key(self.keys(target))
        ops.append(Step(self.next_pos(), where.reach, None, activity, (), (), None))
        ops.append(
            Step(
                self.next_pos(), f"({where.reach}) AND f.{column}", None, None, ((entered, "true"),), (), (entered, key)
            )
        )
        inner = _Where(
            target,
            context,
            keys,
            (*where.callers, caller),
            f"({where.reach}) AND f.{column}",
            target.full_name,
            (*where.via, where.flow),
        )
        self.items(target.steps, target, context, keys, inner.callers, inner.reach, ops)

    def request_campaign(self, bound: BoundStep, args: StepArgs, where, ops) -> None:
        """Request Campaign: logged, then the requested campaign's `campaign_is_requested`
        trigger fires for it alone (`Engine.request`): it starts as a trigger campaign does,
        in the next wave, after the flows of this one."""
        target = args.target("campaign")
        if target.kind == "executable":
            raise NotCompiled(f"a step that fails ({target.full_name} is executable)")
        if not any(t.name == "campaign_is_requested" for t in target.triggers):
            raise NotCompiled(f"a step that fails ({target.full_name} cannot be requested)")
        source = "flow_action"
        activity = self.log(
            "Request Campaign", where, [("campaign", Value.of(target.full_name)), ("source", Value.of(source))], target
        )
        event = Event("campaign_is_requested", "", target.name, {"campaign": target, "source": source})
        title = TRIGGERS[event.trigger].title
        tokens = [("t_name", sql_text(event.name)), ("t_title", sql_text(title))]
        if waits.has_wait(target.steps):  # (its waits keep the event)
            tokens.append((waits.CONTEXT, waits.trigger_context(event.name, title, None, None)))
        fires = tuple(
            self.fire(campaign, 1, "true", tokens)
            for campaign, env, calls in self.engine.listeners(event.trigger)
            if campaign is target and campaign.active and self.requested(env, calls, event)
        )
        ops.append(Step(self.next_pos(), where.reach, None, activity, (), fires))

    @staticmethod
    def requested(env, calls, event: Event) -> bool:
        """Whether one of the campaign's `campaign_is_requested` triggers takes the event (`Engine.fire`)."""
        try:
            return any(TRIGGERS[event.trigger].matches(env, call, event) for call in calls)
        except (Unresolved, TokenError):
            return False

    def wait(self, bound: BoundStep, args: StepArgs, where, ops) -> None:
        """The flow stops here for those who reach it, until the wait's end:
        one time for everyone (every flow of the run runs at `at`), worked
        out by the reference's own step (`waits.Clock`)."""
        campaign = where.campaign
        if campaign.kind not in ("batch", "trigger") or where.callers:
            raise NotCompiled("a step that fails (a wait in an executable campaign)")
        for name in ("duration", "weekdays", "at", "until"):
            arg = args.args.get(name)
            if arg is not None and not self.renderer.person_free(arg.node, where.context, where.keys):
                raise NotCompiled("a wait that depends on the person")
        effect = bound.spec.compile(args)
        due = self.renderer.constant(lambda tokens: effect(waits.Clock(tokens, self.at)), where.context)
        if due <= self.until:
            raise NotCompiled("a wait that ends by the end of the run (it goes on in the run)")
        pos = self.next_pos()
        column = f"w{pos}"
        self.flow_columns.append(column)
        # A trigger flow's context holds its event (`Fire.tokens`); the batch campaign's, the API My Tokens.
        context = f"f.{waits.CONTEXT}" if where.keys is not None else sql_text(wait_context(self.tokens, None))
        key = self.keys(campaign)
        ops.append(
            waits.Wait(pos, where.reach, column, due, self.top + 1, codec.dump_key(key), campaign_name(key), context)
        )

    # ---- events --------------------------------------------------------------------

    def fires(self, activity: str, name: str, where, changed: str, old, new, data: dict) -> tuple[Fire, ...]:
        """The trigger campaigns an event of the step can start, in the order `Engine.fire` takes them."""
        found = []
        index = 0
        for trigger in produced_by(activity):
            if not self.engine.listens(trigger, name):
                continue
            spec = TRIGGERS[trigger]
            for campaign, env, calls in self.engine.listeners(trigger):
                index += 1
                if index > order.MAX_INDEX:
                    raise NotCompiled(f"more than {order.MAX_INDEX} trigger campaigns listening for one step")
                if not campaign.active:
                    continue
                try:
                    matches = [self.matches(trigger, env, call, name, data, old, new) for call in calls]
                except (Unresolved, TokenError) as err:
                    raise NotCompiled(f"a trigger that cannot be matched ({err})") from None
                matches = [m for m in matches if m != "false"]
                if not matches:
                    continue
                tokens = [("t_name", sql_text(name)), ("t_title", sql_text(spec.title))]
                if spec.has_token("old_value"):
                    tokens.append(("t_old", values.text(old)))
                    tokens.append(("t_new", values.text(new)))
                if waits.has_wait(campaign.steps):  # (its waits keep the event)
                    tokens.append((waits.CONTEXT, waits.trigger_context(name, spec.title, old, new)))
                found.append(self.fire(campaign, index, f"({changed}) AND (" + " OR ".join(matches) + ")", tokens))
        return tuple(found)

    def fire(self, campaign: CampaignInfo, index: int, matches: str, tokens) -> Fire:
        """A trigger campaign an event starts (see `Fire`), its flow compiled with the plan's."""
        if campaign not in self.triggers:
            self.triggers[campaign] = None
        once = self.rule(campaign)
        filters = self.conditions.smart_list(campaign, TokenContext(campaign, trigger=_EVENT), live=True)
        return Fire(
            campaign,
            index,
            matches,
            tuple(tokens),
            filters,
            self.entry_column(campaign),
            once,
            codec.dump_key(self.keys(campaign)),
        )

    def matches(
        self, trigger: str, env, call: dict, name: str, data: dict, old: Value | None, new: Value | None
    ) -> str:
        """SQL: whether one trigger of a listening campaign takes the event."""
        spec = TRIGGERS[trigger]
        if trigger == "added_to_list":
            return "true" if spec.matches(env, call, Event(trigger, "", name, data)) else "false"
        field = call.get("field") if trigger in ("data_value_changes", "score_is_changed") else None
        if field is not None and env.field(field) != data["field"]:
            return "false"
        if trigger == "program_status_changes" and env.resolve("program", call["program"]) is not data["program"]:
            return "false"
        conds = []
        for param, value in (("from", old), ("to", new)):
            expected = call.get(param)
            if expected is None:
                continue
            wanted = env.value(expected)
            if value.known:
                conds.append("true" if same(value.constant, wanted) else "false")
            elif value.kind == "text" and isinstance(wanted, str):
                conds.append(_same(value.sql, wanted))
            else:
                raise NotCompiled(f"a {param}= constraint on a {value.kind} value")
        return " AND ".join(conds) or "true"

    # ---- guards --------------------------------------------------------------------

    def guards(self):
        for column in sorted(self.json_text):
            yield Guard(
                f"regexp_matches(p.{quote(column)}, '{values.CAPITAL_ESCAPES}')", f"a control character in {column}"
            )
        for column in sorted(self.compared):
            col = f"p.{quote(column)}"
            yield Guard(f"regexp_matches({col}, '{values.NOT_ASCII}')", f"text beyond ASCII in {column}")
            yield Guard(f"({_NUMERIC.format(col)}) AND length({col}) > 15", f"a long number in {column}")
        for name, kind in sorted(self.read.items()):
            if kind == "number":
                col = f"p.{quote(name)}"
                yield Guard(
                    f"{col} IS NOT NULL AND NOT ({values.DOUBLE_RANGE.format(col)})", f"a number out of range in {name}"
                )
            if kind == "int":
                col = f"p.{quote(name)}"
                yield Guard(f"abs({col}) >= 1000000000000000", f"a number out of range in {name}")


class _Event(Mapping):
    """The event of a trigger flow while its conditions are compiled: one per
    flow row, which the predicates do not read (a step's `trigger.*` is a
    flow column: `tokens.Renderer`), so a condition that asks it is not
    compiled."""

    def __getitem__(self, key):
        raise NotCompiled("a condition on trigger.* tokens")

    __contains__ = __getitem__

    def __iter__(self):
        raise NotCompiled("a condition on trigger.* tokens")

    def __len__(self) -> int:
        return 1


_EVENT = _Event()


def _asked(context: TokenContext, keys) -> TokenContext:
    """The context a condition is compiled in: in a trigger flow (`keys`), one without its event."""
    return context if keys is None else attrs.evolve(context, trigger=_EVENT)


@attrs.frozen
class _Where:
    """Where a step runs: its campaign, token context, trigger keys, callers,
    the rows that reach it, and the flow and `via` the log shows."""

    campaign: CampaignInfo
    context: TokenContext
    keys: frozenset | None
    callers: tuple
    reach: str
    flow: str
    via: tuple[str, ...]


def _depth(main: Flow, triggers: dict) -> None:
    """Trigger campaigns start one wave after the flow that fires them: the
    waves must fit the order key (`order.MAX_WAVE`), which a loop never does."""
    flows = {main.campaign: main, **triggers}
    fired = {c: {fire.campaign for op in f.ops if isinstance(op, Step) for fire in op.fires} for c, f in flows.items()}

    def deepest(campaign, path: tuple) -> int:
        if campaign in path:
            raise NotCompiled("trigger campaigns that start each other")
        return max((1 + deepest(c, (*path, campaign)) for c in fired[campaign]), default=0)

    if deepest(main.campaign, ()) > order.MAX_WAVE:
        raise NotCompiled(f"trigger campaigns starting each other more than {order.MAX_WAVE} deep")


# Python's `str.strip()` whitespace within ASCII, and `as_number`'s pattern.
_SPACE = "[ \\t\\n\\x0b\\x0c\\r\\x1c-\\x1f]"
_STRIPPED = " || ".join(f"chr({c})" for c in (32, 9, 10, 11, 12, 13, 28, 29, 30, 31))
_NUMERIC = f"regexp_full_match({{0}}, '{_SPACE}*[+-]?[0-9]+(\\.[0-9]+)?{_SPACE}*')"


def _same(sql: str, constant) -> str:
    """SQL: `stdlib.values.same(value, constant)` for a text value (NULL:
    empty; ASCII, as the run's guard makes sure) and a constant."""
    if constant is None or constant == "":
        return f"({sql} IS NULL OR {sql} = '')"
    number = as_number(constant)
    if number is not None:
        trimmed = f"trim({sql}, {_STRIPPED})"
        return f"coalesce({_NUMERIC.format(sql)} AND TRY_CAST({trimmed} AS DOUBLE) = {float(number)!r}, false)"
    return f"coalesce(lower({sql}) = {sql_text(constant.casefold())}, false)"


def _capital(value) -> bool:
    return isinstance(value, str) and any(c in value for c in "\x0b\x0e\x0f\x1a\x1b\x1c\x1d\x1e\x1f")
