"""Running flows (spec sections 3-5): entries into campaigns, steps and
choices, Execute Campaign in series, Request Campaign through the queue,
Remove from Flow, waits, and the events that fire trigger campaigns.

The `Engine` owns no state of its own beyond the flows in progress; the world
is its `Runtime`. Each step's effect is the standard library's
(`StepSpec.run`), called with a `StepEnv`.
"""

from __future__ import annotations

import datetime as dt

import attrs

from mkc.checker.model import CampaignInfo
from mkc.grammar import ast
from mkc.interpreter.conditions import Conditions
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


@attrs.frozen
class Frame:
    """Where a step runs: its campaign, its token context, the executables'
    callers above it (outermost first) and the run it belongs to."""

    campaign: CampaignInfo | None
    context: TokenContext
    run: FlowRun
    callers: tuple[CampaignInfo, ...] = ()

    @property
    def via(self) -> tuple[CampaignName, ...]:
        return tuple(CampaignName(c) for c in self.callers)

    def chain(self) -> tuple[CampaignInfo, ...]:
        return (*self.callers, self.campaign) if self.campaign is not None else self.callers


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
        self.conditions = Conditions(runtime)
        self.runs: dict[str, list[FlowRun]] = {}  # person -> flows entered and not finished
        self._listeners: tuple = (None, {})

    def use(self, model) -> None:
        """Go on with an edited model in the same world (see `Runtime.use`)."""
        self.rt.use(model)
        self.conditions = Conditions(self.rt)

    # ---- entering campaigns ----------------------------------------------------------

    def qualifies(self, campaign: CampaignInfo, handle: str, context: TokenContext) -> bool:
        """The campaign's filters hold for the person now (triggers aside)."""
        person = self.rt.view(handle)
        if person is None:
            return False
        tokens = Tokens(self.rt, context, handle)
        return self.conditions.qualifies(campaign.smart_list, campaign.scope, person, tokens)

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
        people = [h for h in self.rt.people if wanted is None or h in wanted]
        entering = [h for h in people if self.qualifies(campaign, h, context) and self.rt.may_enter(campaign, h)]
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
        for campaign, triggers in self.listeners(event.trigger):
            if (only is not None and campaign is not only) or not self.rt.is_active(campaign):
                continue
            env = _TriggerEnv(self, campaign)
            try:
                if not any(spec.matches(env, spec.signature.bind(t.args, t.kwargs), event) for t in triggers):
                    continue
            except (Unresolved, TokenError):
                continue
            context = TokenContext(campaign, dict(overrides or {}), trigger_tokens(event, spec.title))
            if self.qualifies(campaign, handle, context) and self.rt.may_enter(campaign, handle):
                self.enter(campaign, handle, context)

    def listeners(self, trigger: str) -> list:
        """Trigger campaigns with a `trigger` of that name, in declaration order,
        each with those triggers."""
        model = self.rt.model
        if self._listeners[0] is not model:
            index: dict[str, list] = {}
            for campaign in model.campaigns:
                if campaign.kind != "trigger":
                    continue
                for name in dict.fromkeys(t.name for t in campaign.triggers):
                    index.setdefault(name, []).append((campaign, [t for t in campaign.triggers if t.name == name]))
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
        self.log(handle, frame, "Request Campaign", target=campaign, campaign=CampaignName(campaign), source=source)
        event = Event("campaign_is_requested", handle, campaign.name, {"campaign": campaign, "source": source})
        self.fire(event, overrides, only=campaign)

    # ---- running flows ---------------------------------------------------------------

    def run_flow(self, run: FlowRun, start: int) -> None:
        frame = Frame(run.campaign, run.context, run)
        steps = run.items
        try:
            for index in range(start, len(steps)):
                wait = self.run_item(steps[index], frame)
                if wait is not None:
                    self.rt.enqueue(wait, Resume(run, index + 1))
                    return
        except StopFlow:
            run.cancelled = True
        self.finish(run)

    def finish(self, run: FlowRun) -> None:
        run.finished = True
        runs = self.runs.get(run.person, [])
        if run in runs:
            runs.remove(run)

    def run_items(self, items, frame: Frame) -> None:
        """An executable's steps, run now inside the caller's flow (a `wait`
        cannot be among them: it is not allowed in an executable)."""
        for item in items:
            self.run_item(item, frame)

    def run_item(self, item, frame: Frame) -> dt.datetime | None:
        """Run a step or a choice; returns when a wait ends, else None."""
        if isinstance(item, ast.Choice):
            branch = self.choose(item, frame)
            return self.run_item(branch, frame) if branch is not None else None
        return self.run_step(item, frame)

    def choose(self, choice: ast.Choice, frame: Frame):
        person = self.rt.view(frame.run.person)
        tokens = Tokens(self.rt, frame.context, frame.run.person)
        scope = frame.campaign.scope if frame.campaign else None
        try:
            for when in choice.whens:
                if self.conditions.holds(when.cond, person, scope, tokens):
                    return when.step
        except (Unresolved, TokenError) as err:
            self.failed(frame, "choice", str(err), choice.span)
        return choice.default

    def run_step(self, step: ast.Step, frame: Frame) -> dt.datetime | None:
        spec = STEPS.get(step.name)
        env = StepEnv(self, frame)
        try:
            if spec is None:
                raise StepFailure(f"`{step.name}` is not a flow step")
            kind = frame.campaign.kind if frame.campaign else None
            if kind is not None and kind not in spec.allowed_in:
                raise StepFailure(f"`{step.name}` cannot run in {_a(kind)} campaign")
            spec.run(env, spec.signature.bind(step.args, step.kwargs))
        except StepFailure as failure:
            self.failed(frame, step.name, failure.reason, step.span)
        return env.wait

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
        context = frame.context.passed_to(target) if use_parent else TokenContext(target)
        qualified = self.qualifies(target, handle, context) and self.rt.may_enter(target, handle)
        self.log(
            handle,
            frame,
            "Executed Campaign",
            target=target,
            campaign=CampaignName(target),
            qualified=qualified,
            use_parent_token_context=use_parent,
        )
        if qualified:
            self.rt.record_entry(target, handle)
            self.run_items(target.steps, Frame(target, context, frame.run, chain))

    def remove_from_flow(self, frame: Frame, targets: list[CampaignInfo]) -> None:
        """Stop each target's flows for the person, waiting ones included; if a
        target is running here (this campaign or an executable on the way), this
        flow stops too, with every caller above it."""
        handle = frame.run.person
        running = {self.rt.keys(c) for c in frame.chain()}
        stop_here = False
        for target in targets:
            self.log(handle, frame, "Remove from Flow", target=target, campaign=CampaignName(target))
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
        worked: dict[str | None, int] = {}  # person (None: batch runs) -> items run
        while (due := self.rt.pop_due(until)) is not None:
            when, item = due
            self.rt.now = max(self.rt.now, when)
            who = item.run.person if isinstance(item, Resume) else None
            count = worked[who] = worked.get(who, 0) + 1
            if count > MAX_WORK:
                self.rt.drop_pending()
                raise InterpreterError(
                    f"more than {MAX_WORK} pieces of work without a pause: campaigns that "
                    "trigger each other without end?"
                )
            self.process(item)
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
        flow = frame.campaign if frame is not None else None
        return self.rt.add(
            Activity(
                self.rt.now,
                handle,
                type_,
                attributes,
                flow=CampaignName(flow) if flow is not None else None,
                via=frame.via if frame is not None else (),
                target=self.rt.keys(target) if target is not None else None,
            )
        )


class StepEnv:
    """What a step's effect (`StepSpec.run`) sees: see `mkc.stdlib.steps`."""

    def __init__(self, engine: Engine, frame: Frame):
        self.engine = engine
        self.frame = frame
        self.wait: dt.datetime | None = None
        self.tokens = Tokens(engine.rt, frame.context, frame.run.person)

    @property
    def now(self) -> dt.datetime:
        return self.engine.rt.now

    @property
    def person(self) -> PersonView:
        return self.engine.rt.view(self.frame.run.person)

    @property
    def campaign(self) -> CampaignInfo | None:
        return self.frame.campaign

    # -- reading arguments
    def value(self, node):
        try:
            return self.tokens.value(node)
        except TokenError as err:
            raise StepFailure(str(err)) from None

    def text(self, node) -> str:
        value = self.value(node)
        return value if isinstance(value, str) else value_text(value)

    def field(self, node) -> str:
        return field_name(node)

    def score(self, node) -> ast.ScoreChange:
        value = self.value(node)
        change = as_score_change(value)
        if change is None:
            shown = str(node) if isinstance(node, ast.Token) else "the value"
            found = "empty" if is_empty(value) else literal(value)
            raise StepFailure(f"{shown} is {found}, not a score change such as +10, -5 or =0")
        return change

    def resolve(self, kind: str, node):
        scope = self.frame.campaign.scope if self.frame.campaign else None
        try:
            return self.engine.rt.resolve(kind, node, scope)
        except Unresolved as err:
            raise StepFailure(str(err)) from None

    def fail(self, reason: str):
        raise StepFailure(reason)

    # -- effects
    def log(self, type_: str, target=None, **attributes) -> Activity:
        return self.engine.log(self.frame.run.person, self.frame, type_, target, **attributes)

    def fire(self, trigger: str, name: str, **data) -> None:
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
    """What a trigger's `matches` sees: the listening campaign's references and tokens."""

    def __init__(self, engine: Engine, campaign: CampaignInfo):
        self.engine = engine
        self.campaign = campaign

    def resolve(self, kind: str, node):
        return self.engine.rt.resolve(kind, node, self.campaign.scope)

    def value(self, node):
        return Tokens(self.engine.rt, TokenContext(self.campaign), None).value(node)

    def field(self, node) -> str:
        return field_name(node)


def field_name(node) -> str:
    """A field argument (a name, or a string for a name with spaces) as text."""
    return node.text if isinstance(node, ast.Str) else str(node)


def _a(kind: str) -> str:
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"
