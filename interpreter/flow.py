"""Running flows (spec sections 3-5): entries into campaigns, steps and
choices, Execute Campaign in series, Request Campaign through the queue,
Remove from Flow, waits, and the events that fire trigger campaigns.

The `Engine` owns no state of its own beyond the flows in progress (and what
it compiled); the world is its `Runtime`. Each step's effect is the standard
library's (`StepSpec.compile`, see `mkc.stdlib.steps`).

Flows are compiled before they run, once per campaign, into a `Flow`: each
flow item becomes a ready-to-call function `op(frame) -> wait end or None`:
its step's arguments bound and prepared (`mkc.interpreter.args`: references
resolved, strings made into renderers), the step's effect compiled with them
(what it logs made ready, and its events only where a trigger campaign could
take them), and each choice's conditions and each smart list compiled into
predicates (`Conditions.compile`). Running a flow for a person is then a
loop over those functions (`Engine.run_items`), each given the `Frame`: the
campaign's name as the log shows it, its callers' names, the person and their
token answers, so no step looks them up again.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from typing import NamedTuple

import attrs

from mkc.checker.model import CampaignInfo
from mkc.grammar import ast
from mkc.interpreter.args import Arg, StepArgs, field_name, prepare, prepare_bound, prepare_call
from mkc.interpreter.conditions import Conditions, everyone
from mkc.interpreter.runtime import (
    MEMORY_EVERY,
    Activity,
    CampaignName,
    InterpreterError,
    PersonView,
    Runtime,
    StepFailure,
    Unresolved,
    WorkCount,
    memory_in_use,
)
from mkc.interpreter.tokens import TokenContext, TokenError, Tokens, trigger_tokens
from mkc.stdlib import STEPS, TRIGGERS
from mkc.stdlib.triggers import Event
from mkc.stdlib.values import duration_delta, later, years_later

MAX_DEPTH = 3  # levels of Execute Campaign below the campaign that started the flow
MAX_WORK = 100_000  # queue items one person may run at one moment: more is a runaway loop
RECENT = 10_000  # activities a runaway's message looks back over for the busiest campaigns


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
    """Where a step runs, and what its effect sees (`ex` in `mkc.stdlib.steps`):
    the campaign, its token context, the executables' callers above it
    (outermost first) and the run it belongs to; `flow` and `via` are the
    campaign's and the callers' names as the log shows them, `handle` the
    person's handle, `person` the person (a `PersonView`) and `tokens` their
    token answers in this context (both filled in by `Engine.frame`)."""

    __slots__ = ("engine", "campaign", "context", "run", "callers", "flow", "via", "handle", "person", "tokens")

    def __init__(
        self,
        campaign: CampaignInfo | None,
        context: TokenContext,
        run: FlowRun,
        callers: tuple[CampaignInfo, ...] = (),
        flow: CampaignName | None = None,
        via: tuple[CampaignName, ...] | None = None,
        engine: Engine | None = None,
        person: PersonView | None = None,
        tokens: Tokens | None = None,
    ):
        self.engine = engine
        self.campaign = campaign
        self.context = context
        self.run = run
        self.callers = callers
        self.flow = flow if flow is not None or campaign is None else CampaignName(campaign)
        self.via = via if via is not None else tuple(CampaignName(c) for c in callers)
        self.handle = run.person
        self.person = person
        self.tokens = tokens

    def chain(self) -> tuple[CampaignInfo, ...]:
        """The callers and this frame's campaign, outermost first."""
        return (*self.callers, self.campaign) if self.campaign is not None else self.callers

    # -- what a step's effect calls
    @property
    def now(self) -> dt.datetime:
        return self.engine.rt.now

    def fail(self, reason: str):
        raise StepFailure(reason)

    def execute(self, campaign: CampaignInfo, use_parent: bool) -> None:
        self.engine.execute(self, campaign, use_parent)

    def request(self, campaign: CampaignInfo) -> None:
        if campaign.kind == "executable":
            raise StepFailure(f"{campaign.full_name} is executable: it can only be executed, not requested")
        try:
            self.engine.request(campaign, self.handle, "flow_action", self)
        except InterpreterError as err:
            raise StepFailure(str(err)) from None

    def remove_from_flow(self, campaigns) -> None:
        self.engine.remove_from_flow(self, campaigns)

    def delete_person(self) -> None:
        self.engine.delete_person(self)


class Flow(NamedTuple):
    """A flow compiled: `ops[i](frame)` runs item i and returns when a wait
    ends, else None; `steps[i]` is what a Failed Step of item i shows (the
    step's name and where it is written). A step's effect may raise
    StepFailure or TokenError, and the loop running the flow logs it for
    that step (a choice reports its own failures, and its steps')."""

    ops: tuple
    steps: tuple


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
        self._listeners: tuple = (None, {}, {})  # (model, trigger -> listeners, trigger -> names they take)
        self._flows: dict[CampaignInfo, Flow] = {}  # campaign -> its flow, compiled
        self._smart_lists: dict[CampaignInfo, object] = {}  # campaign -> its smart list, compiled
        self._contexts: dict[CampaignInfo, TokenContext] = {}  # campaign -> its own lexical context
        self._names: dict[CampaignInfo, CampaignName] = {}
        self._vias: dict[tuple, tuple] = {}  # (caller's via, caller's name) -> the callee's via, made once

    def use(self, model) -> None:
        """Go on with an edited model in the same world (see `Runtime.use`):
        flows are compiled again, against the new model, when they next run."""
        self.rt.use(model)
        self._forget_compiled()

    # ---- entering campaigns ----------------------------------------------------------

    def qualifies(self, campaign: CampaignInfo, handle: str, context: TokenContext) -> bool:
        """The campaign's filters hold for the person now (triggers aside)."""
        qualifies = self.smart_list(campaign)
        if qualifies is everyone:  # (it looks at neither the person nor tokens)
            return handle in self.rt.people
        person = self.rt.view(handle)
        if person is None:
            return False
        return qualifies(person, Tokens(self.rt, context, handle))

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
        tokens = self.conditions.reads_tokens(campaign.smart_list)  # (else none are made for everyone)
        entering = [
            handle
            for handle, state in rt.people.items()
            if (wanted is None or handle in wanted)
            and (
                qualifies is everyone
                or qualifies(PersonView(state, rt.keys), Tokens(rt, context, handle) if tokens else None)
            )
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
                    c,
                    s.at.value,
                    every=duration_delta(s.every) if s.every else None,  # (None too when too long to repeat)
                    until=s.until.value if s.until else None,
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

    def listeners(self, trigger: str) -> list | tuple:
        """Trigger campaigns with a `trigger` of that name, in declaration order,
        each as (campaign, what its triggers' `matches` sees, the arguments of
        those triggers, prepared as a step's are)."""
        return self._index()[1].get(trigger, ())

    def listens(self, trigger: str, name: str | None) -> bool:
        """Whether some trigger campaign could take a `trigger` event about
        `name` (the event's `name`: a changed field, a list, a program; None:
        not known before the step runs). When not, `fire` would enter
        nobody, so a step need not build the event."""
        names = self._index()[2].get(trigger)
        return names is not None and (name is None or ANY in names or name in names)

    def _index(self) -> tuple:
        model = self.rt.model
        if self._listeners[0] is not model:  # (a runtime only changes model through `use`)
            index: dict[str, list] = {}
            names: dict[str, set] = {}
            for campaign in model.campaigns:
                if campaign.kind != "trigger":
                    continue
                env = TriggerEnv(self, campaign)
                triggers = model.bound.triggers_of(campaign)
                for name in dict.fromkeys(t.name for t in triggers):
                    spec = TRIGGERS.get(name)
                    args = [prepare_call(t, self.rt) for t in triggers if t.name == name and spec is not None]
                    index.setdefault(name, []).append((campaign, env, args))
                    names.setdefault(name, set()).update(_subject(spec, env, a) for a in args)
            self._listeners = (model, index, names)
        return self._listeners

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
        flow = self.flow(run.campaign) if run.steps is None else self.compile_items(run.steps, run.campaign)
        try:
            waiting = self.run_items(flow, frame, start)
            if waiting is not None:
                index, wait = waiting
                self.rt.enqueue(wait, Resume(run, index + 1))
                return
        except StopFlow:
            run.cancelled = True
        self.finish(run)

    def run_items(self, flow: Flow, frame: Frame, start: int = 0) -> tuple[int, dt.datetime] | None:
        """Run `flow`'s items from `start` in `frame`: (the item, when its wait
        ends) at a wait, None at the end. A step that fails is logged as a
        Failed Step, and the flow stops (StopFlow)."""
        ops, index = flow.ops, start
        try:
            for index in range(start, len(ops)):
                wait = ops[index](frame)
                if wait is not None:
                    return index, wait
        except StepFailure as failure:
            self.failed(frame, flow.steps[index], failure.reason)
        except TokenError as err:  # a token without an answer, read by the step
            self.failed(frame, flow.steps[index], str(err))
        return None

    def finish(self, run: FlowRun) -> None:
        run.finished = True
        runs = self.runs.get(run.person)
        if runs is not None and run in runs:
            runs.remove(run)
            if not runs:
                del self.runs[run.person]

    def frame(
        self,
        campaign: CampaignInfo | None,
        context: TokenContext,
        run: FlowRun,
        caller: Frame | None = None,
        tokens: Tokens | None = None,
    ) -> Frame:
        """A frame for `campaign`'s flow, called by `caller`'s (an executable:
        the same person) or started by `run`."""
        name = self.name(campaign) if campaign is not None else None
        if tokens is None:
            tokens = Tokens(self.rt, context, run.person)
        if caller is None:
            return Frame(campaign, context, run, (), name, (), self, self.rt.view(run.person), tokens)
        via = caller.via
        if caller.campaign is not None:
            key = (via, caller.flow)
            via = self._vias.get(key)
            if via is None:  # every activity of the callee holds it: one tuple, not one per person
                via = self._vias[key] = (*caller.via, caller.flow)
        return Frame(campaign, context, run, caller.chain(), name, via, self, caller.person, tokens)

    # ---- compiling flows ---------------------------------------------------------------

    def flow(self, campaign: CampaignInfo) -> Flow:
        """The campaign's flow, compiled."""
        found = self._flows.get(campaign)
        if found is None:
            found = self._flows[campaign] = self.compile_items(campaign.steps, campaign)
        return found

    def compile_items(self, items, campaign: CampaignInfo | None) -> Flow:
        """Flow items (steps and choices) as they run in `campaign`'s flow (None: outside any)."""
        ops, steps = [], []
        for item in items:
            if isinstance(item, ast.Choice):
                ops.append(self._compile_choice(item, campaign))
                steps.append(None)  # (it reports its own failures)
            else:
                ops.append(self._compile_step(item, campaign))
                steps.append((item.name, item.span))
        return Flow(tuple(ops), tuple(steps))

    def _compile_step(self, step: ast.Step, campaign: CampaignInfo | None):
        """The step's effect, `effect(frame)`, which may raise StepFailure or
        TokenError (see `Flow`)."""
        name = step.name
        spec = STEPS.get(name)
        if spec is None:
            return _failing(f"`{name}` is not a flow step")
        kind = campaign.kind if campaign is not None else None
        if kind is not None and kind not in spec.allowed_in:
            return _failing(f"`{name}` cannot run in {_a(kind)} campaign")
        bound = self.rt.model.bound.step(campaign, step)  # (None: a step outside the campaign's flow)
        try:
            args = (
                prepare_call(bound, self.rt)
                if bound is not None
                else prepare(spec, step.args, step.kwargs, self.rt, campaign)
            )
            return spec.compile(StepArgs(self, args))
        except StepFailure as failure:  # a reference that names nothing: the step fails when it runs
            return _failing(failure.reason)

    def _compile_branch(self, item, campaign: CampaignInfo | None):
        """A choice's step (or choice), as an op that reports its own failures."""
        branch, run_items = self.compile_items((item,), campaign), self.run_items

        def run_branch(frame: Frame) -> dt.datetime | None:
            waiting = run_items(branch, frame)
            return waiting[1] if waiting is not None else None

        return run_branch

    def _compile_choice(self, choice: ast.Choice, campaign: CampaignInfo | None):
        """The first `when` that holds runs its step; else the default, if any."""
        scope = campaign.scope if campaign is not None else None
        whens = [(self.conditions.compile(w.cond, scope), self._compile_branch(w.step, campaign)) for w in choice.whens]
        default = self._compile_branch(choice.default, campaign) if choice.default is not None else None
        span = choice.span

        def choose(frame: Frame) -> dt.datetime | None:
            person, tokens = frame.person, frame.tokens
            branch = default
            try:
                for holds, step in whens:
                    if holds(person, tokens):
                        branch = step
                        break
            except (Unresolved, TokenError) as err:
                self.failed(frame, ("choice", span), str(err))
            return branch(frame) if branch is not None else None

        return choose

    def failed(self, frame: Frame, where: tuple, reason: str) -> None:
        """Log a Failed Step for the step `where` names (its name and span)
        and stop the person's flow."""
        step, span = where
        attributes = {"step": step, "reason": reason}
        if span is not None:
            attributes["line"] = span.line
        self.log(frame.handle, frame, "Failed Step", **attributes)
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
        if len(frame.callers) + (caller is not None) > MAX_DEPTH:  # the length of frame.chain()
            chain = frame.chain()
            raise StepFailure(
                f"Execute Campaign nests at most {MAX_DEPTH} levels below {chain[0].full_name}: "
                f"{target.full_name} would be level {len(chain)}"
            )
        handle = frame.handle
        context = frame.context.passed_to(target) if use_parent else self.own_context(target)
        person, tokens = frame.person, Tokens(self.rt, context, handle)
        qualified = person is not None and self.smart_list(target)(person, tokens) and self.rt.may_enter(target, handle)
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
            inner = self.frame(target, context, frame.run, caller=frame, tokens=tokens)
            self.run_items(self.flow(target), inner)  # (an executable has no wait)

    def remove_from_flow(self, frame: Frame, targets: list[CampaignInfo]) -> None:
        """Stop each target's flows for the person, waiting ones included; if a
        target is running here (this campaign or an executable on the way), this
        flow stops too, with every caller above it."""
        handle = frame.handle
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
        handle = frame.handle
        for run in self.runs.pop(handle, []):
            run.cancelled = True
        frame.run.cancelled = True
        self.rt.delete(handle)
        raise StopFlow

    def run_outside(self, handle: str, step: str, args: dict) -> None:
        """A step's effect for a person outside any flow: what a scenario's `set`
        and `event` do (`args`: the step's call, bound to its signature). A
        failure is the command's error."""
        spec = STEPS[step]
        run = FlowRun(None, handle, TokenContext(None))
        try:
            spec.compile(StepArgs(self, prepare_bound(spec, args, self.rt, None)))(self.frame(None, run.context, run))
        except StepFailure as failure:
            raise InterpreterError(failure.reason) from None
        except TokenError as err:
            raise InterpreterError(str(err)) from None
        except StopFlow:
            pass

    # ---- the queue -------------------------------------------------------------------

    def run_due(self, until: dt.datetime | None) -> None:
        """Run every queued item due by `until` (None: until the queue is empty),
        in time order, moving the clock to each; then the clock shows `until`.

        A runaway stops with an InterpreterError that names the busiest
        campaigns, and the queue is dropped: one person running more than
        MAX_WORK items at one moment (a batch run over a million people is a
        million pieces of work, not a loop; a schedule every minute pauses
        between its runs), the run going past its `Limits.work` items or
        growing the process by more than `Limits.memory` (a loop logging
        ever longer strings), or work due more than `Limits.years` after the
        clock stood at this call (a wait loop)."""
        rt, process = self.rt, self.process
        limits = rt.limits
        began = rt.now
        deadline = years_later(began, limits.years)
        stop = until if until is not None and until <= deadline else deadline
        work = WorkCount(MAX_WORK)  # items run by each person at this moment
        while (due := rt.pop_due(stop)) is not None:
            when, item = due
            if when > rt.now:  # a pause: what loops without one is counted afresh
                rt.now = when
                work = WorkCount(MAX_WORK)
            rt.work_done += 1
            if rt.work_done > limits.work:
                self.runaway(
                    item,
                    f"more than {limits.work} pieces of work in one run (the limit: `--max-work` changes it)",
                )
            if not rt.work_done % MEMORY_EVERY and memory_in_use() - rt.memory_at_start > limits.memory:
                self.runaway(
                    item,
                    f"the run took more than {limits.memory // (1 << 20):,} MB of memory "
                    f"({len(rt.log):,} activities logged)",
                )
            if isinstance(item, Resume) and work.passes(item.run.person):  # (a scheduled run is nobody's loop)
                self.runaway(
                    item,
                    f"more than {MAX_WORK} pieces of work without a pause for {item.run.person}: "
                    "campaigns that trigger each other without end?",
                )
            process(item)
        following = rt.next_due()
        if following is not None and following > deadline and (until is None or following <= until):
            self.runaway(
                None,
                f"work due at {ast.format_datetime(following)}, more than "
                f"{limits.years} year{'s' if limits.years != 1 else ''} after "
                f"{ast.format_datetime(began)} (the limit: `--max-years` changes it)",
            )
        if until is not None:
            self.rt.now = max(self.rt.now, until)

    def runaway(self, item, why: str):
        """Stop a runaway: drop every queued item and raise an InterpreterError
        that says why, naming the campaigns with the most work lately (in the
        last activities logged, and in the queue): up to three, each with at
        least a tenth of the busiest one's."""
        rt = self.rt
        counts: Counter = Counter()
        for activity in itertools.islice(reversed(rt.log), RECENT):
            if activity.flow is not None:
                counts[activity.flow] += 1
        for _when, queued in [(None, item), *rt.pending]:
            campaign = queued.run.campaign if isinstance(queued, Resume) else getattr(queued, "campaign", None)
            if campaign is not None:
                counts[self.name(campaign)] += 1
        rt.drop_pending()
        top = counts.most_common(3)
        busiest = ", ".join(str(name) for name, n in top if n * 10 >= top[0][1])  # (not those that only started it)
        raise InterpreterError(why + (f"; the busiest campaigns: {busiest}" if busiest else ""))

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
                following = later(self.rt.now, item.every)  # (None: past the end of the clock)
                if following is not None and (item.until is None or following <= item.until):
                    self.rt.enqueue(following, item)

    # ---- the log ---------------------------------------------------------------------

    def log(self, handle: str, frame: Frame | None, type_: str, target=None, **attributes) -> Activity:
        activity = Activity(
            self.rt.now,
            handle,
            type_,
            attributes,
            frame.flow if frame is not None else None,
            frame.via if frame is not None else (),
            self.rt.keys(target) if target is not None else None,
        )
        self.rt.log.append(activity)
        return activity


class TriggerEnv:
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


ANY = object()  # a trigger that may take an event about anything (`_subject`)


def _subject(spec, env: TriggerEnv, args: dict):
    """What an event must be about (its `name`) for this trigger to take it,
    or `ANY`. A trigger whose reference names nothing takes no event, but is
    counted as `ANY`: `fire` is the one to find that out."""
    try:
        subject = spec.subject(env, args)
    except (Unresolved, TokenError):
        return ANY
    return ANY if subject is None else subject


def _failing(reason: str):
    """The effect of a step that cannot run."""

    def fail(frame: Frame) -> None:
        raise StepFailure(reason)

    return fail


def _a(kind: str) -> str:
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"
