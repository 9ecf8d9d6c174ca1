"""Running flows (spec sections 3-5): entries into campaigns, steps and
choices, Execute Campaign in series, Request Campaign through the queue,
Remove from Flow, waits, and the events that fire trigger campaigns.

The `Engine` owns no state of its own beyond the flows in progress (and what
it compiled); the world is its `Runtime`. Each step's effect is the standard
library's (`StepSpec.run`), called with a `StepEnv`.

Flows are compiled before they run, once per campaign: each flow item becomes
a ready-to-call function `op(frame) -> wait end or None`, with its step's
`StepSpec` found, its arguments bound and prepared (`mkc.interpreter.args`:
references resolved, strings split into text and compiled tokens), and each
choice's conditions and each smart list compiled into predicates
(`Conditions.compile`). Running a flow for a person is then a loop over
those functions. A frame knows its campaign's name as the log shows it, its
callers' names, the person and their token answers, so no step looks them up
again.
"""

from __future__ import annotations

import datetime as dt

import attrs

from mkc.checker.model import CampaignInfo
from mkc.grammar import ast
from mkc.interpreter.args import THIS_CAMPAIGN, Arg, field_name, prepare
from mkc.interpreter.conditions import Conditions, everyone
from mkc.interpreter.runtime import Activity, CampaignName, InterpreterError, PersonView, Runtime, Unresolved
from mkc.interpreter.tokens import TokenContext, TokenError, Tokens, trigger_tokens
from mkc.stdlib import STEPS, TRIGGERS
from mkc.stdlib.triggers import Event
from mkc.stdlib.values import as_score_change, is_empty, literal
from mkc.stdlib.values import text as value_text

MAX_DEPTH = 3  # levels of Execute Campaign below the campaign that started the flow
MAX_WORK = 100_000  # queue items one command may run for one person: more is a runaway loop


class StepFailure(Exception):
    """A step that cannot run: logged as a Failed Step, and the person's flow stops."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class StopFlow(Exception):
    """The person's flow ends here (removed from the flow, deleted, or a failed step)."""


@attrs.define(eq=False)
class FlowRun:
    """One person's way through one campaign's flow, from entry to its end
    (`campaign` is None for steps run outside any campaign: scenario commands,
    REPL entries)."""

    campaign: CampaignInfo | None
    person: str
    context: TokenContext
    cancelled: bool = False
    finished: bool = False
    steps: tuple | None = None  # steps to run instead of the campaign's flow (a REPL entry)

    @property
    def items(self) -> tuple:
        return self.steps if self.steps is not None else self.campaign.steps


class Frame:
    """Where a step runs: its campaign, its token context, the executables'
    callers above it (outermost first) and the run it belongs to; `flow` and
    `via` are the campaign's and the callers' names as the log shows them.
    The engine fills in `person` (a `PersonView`), `tokens` (a `Tokens`) and
    `env` (the `StepEnv` its steps share) the first time a step asks."""

    __slots__ = ("campaign", "context", "run", "callers", "flow", "via", "_chain", "person", "tokens", "env")

    def __init__(
        self,
        campaign: CampaignInfo | None,
        context: TokenContext,
        run: FlowRun,
        callers: tuple[CampaignInfo, ...] = (),
        flow: CampaignName | None = None,
        via: tuple[CampaignName, ...] | None = None,
    ):
        self.campaign = campaign
        self.context = context
        self.run = run
        self.callers = callers
        self.flow = flow if flow is not None or campaign is None else CampaignName(campaign)
        self.via = via if via is not None else tuple(CampaignName(c) for c in callers)
        self._chain = (*callers, campaign) if campaign is not None else callers
        self.person: PersonView | None = None
        self.tokens: Tokens | None = None
        self.env: StepEnv | None = None

    def chain(self) -> tuple[CampaignInfo, ...]:
        return self._chain


@attrs.frozen
class Resume:
    """Queue item: run `run` from step `index` (0 starts it; after a wait, the next step)."""

    run: FlowRun
    index: int


@attrs.frozen
class BatchRun:
    """Queue item: a scheduled batch campaign, optionally recurring."""

    campaign: CampaignInfo
    overrides: dict = attrs.field(factory=dict, hash=False)
    every: dt.timedelta | None = None
    until: dt.datetime | None = None


class Engine:
    def __init__(self, runtime: Runtime):
        self.rt = runtime
        self.runs: dict[str, list[FlowRun]] = {}  # person -> flows entered and not finished
        self._forget_compiled()

    def _forget_compiled(self) -> None:
        """Forget everything compiled (for a new model: `use`)."""
        self.conditions = Conditions(self.rt)
        self._listeners: tuple = (None, {})
        self._flows: dict[CampaignInfo, tuple] = {}  # campaign -> its flow, compiled
        self._smart_lists: dict[CampaignInfo, object] = {}  # campaign -> its smart list, compiled
        self._contexts: dict[CampaignInfo, TokenContext] = {}  # campaign -> its own lexical context
        self._names: dict[CampaignInfo, CampaignName] = {}
        self._keys: dict[int, tuple] = {}  # id(target) -> (target, its key)

    def use(self, model) -> None:
        """Go on with an edited model in the same world (see `Runtime.use`):
        flows are compiled again, against the new model, when they next run."""
        self.rt.use(model)
        self._forget_compiled()

    # ---- entering campaigns ----------------------------------------------------------

    def qualifies(self, campaign: CampaignInfo, handle: str, context: TokenContext) -> bool:
        """The campaign's filters hold for the person now (triggers aside)."""
        person = self.rt.view(handle)
        if person is None:
            return False
        return self.smart_list(campaign)(person, Tokens(self.rt, context, handle))

    def smart_list(self, campaign: CampaignInfo):
        """The campaign's smart list as a predicate `pred(person, tokens)` (compiled once)."""
        found = self._smart_lists.get(campaign)
        if found is None:
            found = self._smart_lists[campaign] = self.conditions.smart_list(campaign.smart_list, campaign.scope)
        return found

    def own_context(self, campaign: CampaignInfo) -> TokenContext:
        """The campaign's own lexical token context (no API tokens, no trigger)."""
        found = self._contexts.get(campaign)
        if found is None:
            found = self._contexts[campaign] = TokenContext(campaign)
        return found

    def name(self, campaign: CampaignInfo) -> CampaignName:
        """The campaign's `Program.Campaign` name, as activities show it."""
        found = self._names.get(campaign)
        if found is None:
            found = self._names[campaign] = CampaignName(campaign)
        return found

    def key(self, target):
        """The runtime's stable key of a campaign, program or asset (remembered)."""
        found = self._keys.get(id(target))
        if found is None or found[0] is not target:
            found = self._keys[id(target)] = (target, self.rt.keys(target))
        return found[1]

    def enter(self, campaign: CampaignInfo, handle: str, context: TokenContext) -> FlowRun:
        """The person enters the campaign's flow: counted for its qualification
        rule now, the flow queued to start at the current time."""
        self.rt.record_entry(campaign, handle)
        run = FlowRun(campaign, handle, context)
        self.runs.setdefault(handle, []).append(run)
        self.rt.enqueue(self.rt.now, Resume(run, 0))
        return run

    def batch_run(self, campaign: CampaignInfo, handles=None, overrides=None) -> list[str]:
        """Run a batch campaign now: its smart list is evaluated for everyone
        (or only `handles`), in the database's order, then each qualified person
        enters. Returns who entered."""
        if campaign.kind != "batch":
            raise InterpreterError(f"{campaign.full_name} is {_a(campaign.kind)} campaign: only batch campaigns run")
        context = TokenContext(campaign, dict(overrides or {}))
        wanted = None if handles is None else set(handles)
        rt, qualifies = self.rt, self.smart_list(campaign)
        entering = [
            handle
            for handle in rt.people
            if (wanted is None or handle in wanted)
            and (qualifies is everyone or qualifies(rt.view(handle), Tokens(rt, context, handle)))
            and rt.may_enter(campaign, handle)
        ]
        for handle in entering:
            self.enter(campaign, handle, context)
        return entering

    def schedule(self, campaign: CampaignInfo, when: dt.datetime, overrides=None, every=None, until=None) -> None:
        if campaign.kind != "batch":
            raise InterpreterError(
                f"{campaign.full_name} is {_a(campaign.kind)} campaign: only batch campaigns are scheduled"
            )
        self.rt.enqueue(max(when, self.rt.now), BatchRun(campaign, dict(overrides or {}), every, until))

    def schedule_declared(self) -> None:
        """Queue every batch campaign's own `schedule at ... [every ...] [until ...]`."""
        for c in self.rt.model.campaigns:
            s = c.schedule
            if c.kind == "batch" and s is not None:
                self.schedule(
                    c, s.at.value, every=s.every.delta if s.every else None, until=s.until.value if s.until else None
                )

    def fire(self, event: Event, overrides=None, only: CampaignInfo | None = None) -> None:
        """An event happened: every active trigger campaign listening for it
        (in declaration order), whose filters hold now and whose qualification
        rule allows, gets the person queued."""
        handle = event.person
        if handle not in self.rt.people:
            return
        spec = TRIGGERS[event.trigger]
        matches = spec.matches
        for campaign, env, triggers in self.listeners(event.trigger):
            if only is not None and campaign is not only:
                continue
            try:
                for args in triggers:
                    if matches(env, args, event):
                        break
                else:
                    continue
            except (Unresolved, TokenError):
                continue
            if not self.rt.is_active(campaign):
                continue
            context = TokenContext(campaign, dict(overrides or {}), trigger_tokens(event, spec.title))
            if self.qualifies(campaign, handle, context) and self.rt.may_enter(campaign, handle):
                self.enter(campaign, handle, context)

    def listeners(self, trigger: str) -> list:
        """Trigger campaigns with a `trigger` of that name, in declaration order,
        each as (campaign, what its triggers' `matches` sees, the arguments of
        those triggers, prepared as a step's are)."""
        model = self.rt.model
        if self._listeners[0] is not model:  # (a runtime only changes model through `use`)
            index: dict[str, list] = {}
            for campaign in model.campaigns:
                if campaign.kind != "trigger":
                    continue
                env = _TriggerEnv(self, campaign)
                for name in dict.fromkeys(t.name for t in campaign.triggers):
                    spec = TRIGGERS.get(name)
                    args = [
                        prepare(spec, t.args, t.kwargs, self.rt, campaign)
                        for t in campaign.triggers
                        if t.name == name and spec is not None
                    ]
                    index.setdefault(name, []).append((campaign, env, args))
            self._listeners = (model, index)
        return self._listeners[1].get(trigger, [])

    def request(
        self, campaign: CampaignInfo, handle: str, source: str, frame: Frame | None = None, overrides=None
    ) -> None:
        """Request Campaign, from a flow (`flow_action`) or the API (`api`): logged,
        then the campaign's `campaign_is_requested` trigger fires for it alone."""
        if not any(t.name == "campaign_is_requested" for t in campaign.triggers):
            raise InterpreterError(
                f"{campaign.full_name} has no `campaign_is_requested` trigger, so it cannot be requested"
            )
        self.log(handle, frame, "Request Campaign", target=campaign, campaign=self.name(campaign), source=source)
        event = Event("campaign_is_requested", handle, campaign.name, {"campaign": campaign, "source": source})
        self.fire(event, overrides, only=campaign)

    # ---- running flows ---------------------------------------------------------------

    def run_flow(self, run: FlowRun, start: int) -> None:
        frame = self.frame(run.campaign, run.context, run)
        ops = self.flow(run.campaign) if run.steps is None else self.compile_items(run.steps, run.campaign)
        try:
            for index in range(start, len(ops)):
                wait = ops[index](frame)
                if wait is not None:
                    self.rt.enqueue(wait, Resume(run, index + 1))
                    return
        except StopFlow:
            run.cancelled = True
        self.finish(run)

    def finish(self, run: FlowRun) -> None:
        run.finished = True
        runs = self.runs.get(run.person)
        if runs is not None and run in runs:
            runs.remove(run)
            if not runs:
                del self.runs[run.person]

    def frame(
        self, campaign: CampaignInfo | None, context: TokenContext, run: FlowRun, caller: Frame | None = None
    ) -> Frame:
        """A frame for `campaign`'s flow, called by `caller`'s (an executable) or started by `run`."""
        name = self.name(campaign) if campaign is not None else None
        if caller is None:
            return Frame(campaign, context, run, (), name, ())
        via = (*caller.via, caller.flow) if caller.campaign is not None else caller.via
        return Frame(campaign, context, run, caller.chain(), name, via)

    def person_of(self, frame: Frame) -> PersonView | None:
        """The person of the frame's run, as steps and conditions see them."""
        if frame.person is None:
            frame.person = self.rt.view(frame.run.person)
        return frame.person

    def tokens_of(self, frame: Frame) -> Tokens:
        """Token answers for the frame's person in the frame's context."""
        if frame.tokens is None:
            frame.tokens = Tokens(self.rt, frame.context, frame.run.person)
        return frame.tokens

    def run_items(self, items, frame: Frame) -> None:
        """Flow items run now in `frame` (an executable's, inside its caller's
        flow: a `wait` cannot be among them, it is not allowed in an executable)."""
        for op in self.compile_items(items, frame.campaign):
            op(frame)

    def run_item(self, item, frame: Frame) -> dt.datetime | None:
        """Run a step or a choice; returns when a wait ends, else None."""
        return self.compile_item(item, frame.campaign)(frame)

    # ---- compiling flows ---------------------------------------------------------------

    def flow(self, campaign: CampaignInfo) -> tuple:
        """The campaign's flow compiled: one `op(frame) -> wait end or None` per flow item."""
        found = self._flows.get(campaign)
        if found is None:
            found = self._flows[campaign] = self.compile_items(campaign.steps, campaign)
        return found

    def compile_items(self, items, campaign: CampaignInfo | None) -> tuple:
        return tuple(self.compile_item(item, campaign) for item in items)

    def compile_item(self, item, campaign: CampaignInfo | None):
        """A step or a choice as it runs in `campaign`'s flow (None: outside any)."""
        if isinstance(item, ast.Choice):
            return self._compile_choice(item, campaign)
        return self._compile_step(item, campaign)

    def _compile_step(self, step: ast.Step, campaign: CampaignInfo | None):
        name, span = step.name, step.span
        spec = STEPS.get(name)
        if spec is None:
            return self._failing(name, f"`{name}` is not a flow step", span)
        kind = campaign.kind if campaign is not None else None
        if kind is not None and kind not in spec.allowed_in:
            return self._failing(name, f"`{name}` cannot run in {_a(kind)} campaign", span)
        effect, args = spec.run, prepare(spec, step.args, step.kwargs, self.rt, campaign)

        def run_step(frame: Frame) -> dt.datetime | None:
            env = frame.env
            if env is None:
                env = frame.env = StepEnv(self, frame)
            env.wait = None
            try:
                effect(env, args)
            except StepFailure as failure:
                self.failed(frame, name, failure.reason, span)
            return env.wait

        return run_step

    def _failing(self, name: str, reason: str, span):
        def fail(frame: Frame) -> None:
            self.failed(frame, name, reason, span)

        return fail

    def _compile_choice(self, choice: ast.Choice, campaign: CampaignInfo | None):
        """The first `when` that holds runs its step; else the default, if any."""
        scope = campaign.scope if campaign is not None else None
        whens = [(self.conditions.compile(w.cond, scope), self.compile_item(w.step, campaign)) for w in choice.whens]
        default = self.compile_item(choice.default, campaign) if choice.default is not None else None
        span = choice.span

        def choose(frame: Frame) -> dt.datetime | None:
            person, tokens = self.person_of(frame), self.tokens_of(frame)
            branch = default
            try:
                for holds, step in whens:
                    if holds(person, tokens):
                        branch = step
                        break
            except (Unresolved, TokenError) as err:
                self.failed(frame, "choice", str(err), span)
            return branch(frame) if branch is not None else None

        return choose

    def failed(self, frame: Frame, step: str, reason: str, span) -> None:
        attributes = {"step": step, "reason": reason}
        if span is not None:
            attributes["line"] = span.line
        self.log(frame.run.person, frame, "Failed Step", **attributes)
        frame.run.cancelled = True
        raise StopFlow

    def execute(self, frame: Frame, target: CampaignInfo, use_parent: bool) -> None:
        """Execute Campaign: the child's filters, then its qualification rule,
        logged; if qualified its steps run now, in this flow."""
        caller = frame.campaign
        if target.kind != "executable":
            raise StepFailure(f"{target.full_name} is not an executable campaign")
        if caller is not None and target.workspace != caller.workspace:
            raise StepFailure(
                f"{target.full_name} is in workspace {target.workspace}, and a campaign can only "
                f"execute campaigns of its own workspace ({caller.workspace})"
            )
        chain = frame.chain()
        if len(chain) > MAX_DEPTH:
            raise StepFailure(
                f"Execute Campaign nests at most {MAX_DEPTH} levels below {chain[0].full_name}: "
                f"{target.full_name} would be level {len(chain)}"
            )
        handle = frame.run.person
        context = frame.context.passed_to(target) if use_parent else self.own_context(target)
        person = self.person_of(frame)
        qualified = (
            person is not None
            and self.smart_list(target)(person, Tokens(self.rt, context, handle))
            and self.rt.may_enter(target, handle)
        )
        self.log(
            handle,
            frame,
            "Executed Campaign",
            target=target,
            campaign=self.name(target),
            qualified=qualified,
            use_parent_token_context=use_parent,
        )
        if qualified:
            self.rt.record_entry(target, handle)
            inner = self.frame(target, context, frame.run, caller=frame)
            inner.person = person
            for op in self.flow(target):
                op(inner)

    def remove_from_flow(self, frame: Frame, targets: list[CampaignInfo]) -> None:
        """Stop each target's flows for the person, waiting ones included; if a
        target is running here (this campaign or an executable on the way), this
        flow stops too, with every caller above it."""
        handle = frame.run.person
        running = {self.rt.keys(c) for c in frame.chain()}
        stop_here = False
        for target in targets:
            self.log(handle, frame, "Remove from Flow", target=target, campaign=self.name(target))
            key = self.rt.keys(target)
            for run in self.runs.get(handle, []):
                if run.campaign is not None and self.rt.keys(run.campaign) == key:
                    run.cancelled = True
            stop_here = stop_here or key in running
        if stop_here:
            frame.run.cancelled = True
            raise StopFlow

    def delete_person(self, frame: Frame) -> None:
        handle = frame.run.person
        for run in self.runs.pop(handle, []):
            run.cancelled = True
        frame.run.cancelled = True
        self.rt.delete(handle)
        raise StopFlow

    def run_outside(self, handle: str, step: str, args: dict) -> None:
        """A step's effect for a person outside any flow: what a scenario's `set`
        and `event` do. A failure is the command's error."""
        run = FlowRun(None, handle, TokenContext(None))
        try:
            STEPS[step].run(StepEnv(self, Frame(None, run.context, run)), args)
        except StepFailure as failure:
            raise InterpreterError(failure.reason) from None
        except StopFlow:
            pass

    # ---- the queue -------------------------------------------------------------------

    def run_due(self, until: dt.datetime | None) -> None:
        """Run every queued item due by `until` (None: until the queue is empty),
        in time order, moving the clock to each; then the clock shows `until`.
        A runaway loop is one person's: a batch run over a million people is
        a million pieces of work, not a loop."""
        rt, process = self.rt, self.process
        worked: dict[str | None, int] = {}  # person (None: batch runs) -> items run
        while (due := rt.pop_due(until)) is not None:
            when, item = due
            if when > rt.now:
                rt.now = when
            who = item.run.person if isinstance(item, Resume) else None
            count = worked[who] = worked.get(who, 0) + 1
            if count > MAX_WORK:
                rt.drop_pending()
                raise InterpreterError(
                    f"more than {MAX_WORK} pieces of work without a pause: campaigns that "
                    "trigger each other without end?"
                )
            process(item)
        if until is not None:
            self.rt.now = max(self.rt.now, until)

    def process(self, item) -> None:
        if isinstance(item, Resume):
            run = item.run
            if run.cancelled or run.finished or run.person not in self.rt.people:
                self.finish(run)
                return
            self.run_flow(run, item.index)
        elif isinstance(item, BatchRun):
            if self.rt.is_active(item.campaign):  # a deactivated batch campaign's schedule does not run
                self.batch_run(item.campaign, overrides=item.overrides)
            if item.every:
                following = self.rt.now + item.every
                if item.until is None or following <= item.until:
                    self.rt.enqueue(following, item)

    # ---- the log ---------------------------------------------------------------------

    def log(self, handle: str, frame: Frame | None, type_: str, target=None, **attributes) -> Activity:
        return self.rt.add(
            Activity(
                self.rt.now,
                handle,
                type_,
                attributes,
                flow=frame.flow if frame is not None else None,
                via=frame.via if frame is not None else (),
                target=self.key(target) if target is not None else None,
            )
        )


class StepEnv:
    """What a step's effect (`StepSpec.run`) sees: see `mkc.stdlib.steps`.
    Arguments are prepared `Arg`s in a compiled flow, or written values
    (AST nodes) elsewhere; both read the same."""

    __slots__ = ("engine", "frame", "wait", "tokens", "person")

    def __init__(self, engine: Engine, frame: Frame):
        self.engine = engine
        self.frame = frame
        self.wait: dt.datetime | None = None
        self.tokens = engine.tokens_of(frame)
        self.person: PersonView = engine.person_of(frame)

    @property
    def now(self) -> dt.datetime:
        return self.engine.rt.now

    @property
    def campaign(self) -> CampaignInfo | None:
        return self.frame.campaign

    # -- reading arguments
    def value(self, node):
        try:
            if type(node) is Arg:
                return node.value if node.get is None else node.get(self.tokens)
            return self.tokens.value(node)
        except TokenError as err:
            raise StepFailure(str(err)) from None

    def text(self, node) -> str:
        if type(node) is Arg and node.get is None:
            return node.text
        value = self.value(node)
        return value if isinstance(value, str) else value_text(value)

    def field(self, node) -> str:
        return node.field if type(node) is Arg else field_name(node)

    def score(self, node) -> ast.ScoreChange:
        value = self.value(node)
        change = as_score_change(value)
        if change is None:
            written = node.node if type(node) is Arg else node
            shown = str(written) if isinstance(written, ast.Token) else "the value"
            found = "empty" if is_empty(value) else literal(value)
            raise StepFailure(f"{shown} is {found}, not a score change such as +10, -5 or =0")
        return change

    def resolve(self, kind: str, node):
        """What a reference names; `this_campaign`, as a campaign, names the
        campaign the step is in."""
        if type(node) is Arg:
            if node.kind == kind:
                if node.problem is not None:
                    raise StepFailure(node.problem)
                return node.target
            node = node.node
        if kind == "campaign" and node == THIS_CAMPAIGN:
            return self.frame.campaign
        scope = self.frame.campaign.scope if self.frame.campaign else None
        try:
            return self.engine.rt.resolve(kind, node, scope)
        except Unresolved as err:
            raise StepFailure(str(err)) from None

    def fail(self, reason: str):
        raise StepFailure(reason)

    # -- effects
    def log(self, type_: str, target=None, **attributes) -> Activity:
        engine, frame = self.engine, self.frame
        key = engine.key(target) if target is not None else None
        return engine.rt.add(Activity(engine.rt.now, frame.run.person, type_, attributes, frame.flow, frame.via, key))

    def fire(self, trigger: str, name: str, **data) -> None:
        if self.engine.listeners(trigger):  # nobody listens: no event to make
            self.engine.fire(Event(trigger, self.frame.run.person, name, data))

    def execute(self, campaign: CampaignInfo, use_parent: bool) -> None:
        self.engine.execute(self.frame, campaign, use_parent)

    def request(self, campaign: CampaignInfo) -> None:
        if campaign.kind == "executable":
            raise StepFailure(f"{campaign.full_name} is executable: it can only be executed, not requested")
        try:
            self.engine.request(campaign, self.frame.run.person, "flow_action", self.frame)
        except InterpreterError as err:
            raise StepFailure(str(err)) from None

    def remove_from_flow(self, campaigns: list[CampaignInfo]) -> None:
        self.engine.remove_from_flow(self.frame, campaigns)

    def wait_until(self, when: dt.datetime) -> None:
        self.wait = max(when, self.now)

    def delete_person(self) -> None:
        self.engine.delete_person(self.frame)


class _TriggerEnv:
    """What a trigger's `matches` sees: the listening campaign's references and
    tokens. Arguments are prepared `Arg`s (the engine's listeners) or written values."""

    def __init__(self, engine: Engine, campaign: CampaignInfo):
        self.engine = engine
        self.campaign = campaign
        self.tokens = Tokens(engine.rt, engine.own_context(campaign), None)

    def resolve(self, kind: str, node):
        if type(node) is Arg and node.kind == kind:
            if node.problem is not None:
                raise Unresolved(node.problem)
            return node.target
        return self.engine.rt.resolve(kind, node.node if type(node) is Arg else node, self.campaign.scope)

    def value(self, node):
        if type(node) is Arg:
            return node.value if node.get is None else node.get(self.tokens)
        return self.tokens.value(node)

    def field(self, node) -> str:
        return node.field if type(node) is Arg else field_name(node)


def _a(kind: str) -> str:
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"
