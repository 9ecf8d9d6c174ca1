"""The mkc interpreter: runs a checked `Model` on a virtual clock.

Build once, run many times::

    from mkc.interpreter import Interpreter, render, run_campaign, run_scenarios

    results = run_scenarios(model)                  # every scenario, each in a fresh world
    print(render(results))                          # the transcripts (text; "jsonl" too)
    result = run_campaign(model, "Ops.ParentA", at=dt.datetime(2026, 1, 5, 9),
                          tokens={"score": ast.ScoreChange("+", 7)})

`Interpreter(model)` holds one world (a `Runtime`: people, memberships, the
activity log, run history, the clock and the queue) and an `Engine` that runs
flows in it. A REPL keeps one `Interpreter` and pokes it:

- `interp.command(cmd)`: one scenario command (`at`, `run`, `set`, `expect`, ...);
  an `expect` gives an `ExpectResult`;
- `interp.run_steps(person, steps, campaign=None)`: flow steps for one person,
  in a campaign's context or none; returns the activities they logged;
- `interp.people` (handle -> `PersonState`, with `.fields`, `.lists`,
  `.programs` and `.snapshot()`), `interp.log` (every `Activity`), `interp.now`,
  `interp.pending` (queued work);
- `interp.reset(model=None)` starts a fresh world; `interp.use(model)` goes on
  with an edited model, keeping the world.

People too many for memory (a database: `mkc.store`) are run batch by batch:
`interp.run_batches(ref, source, at, until)` pulls `PeopleBatch`es from a
`PeopleSource`, runs each (its stored `Wait`s first), and hands the source a
`BatchChanges` to write back (see the end of `runtime.py`).

`format_activity(activity)` is an activity's transcript line;
`render(results, fmt)` whole transcripts (`write(out, results, fmt)` writes
them a few lines at a time). A run stops as a runaway (an InterpreterError)
past its `Limits`: work, memory and simulated time. Runs need a model without check
errors: the interpreter trusts the checker, compiles flows and triggers from
its bound program (`model.bound`: references as the checker resolved them),
and reports what slips through at run time as a `Failed Step` (in a flow) or
an `InterpreterError` (a command).
"""

from __future__ import annotations

import datetime as dt

import attrs

from mkc.checker.model import CampaignInfo, Model
from mkc.grammar import ast
from mkc.interpreter.flow import Engine, FlowRun, Resume, StepFailure
from mkc.interpreter.runtime import (
    ACTIVITY_TYPE_IDS,
    START,
    Activity,
    BatchChanges,
    InterpreterError,
    Limits,
    PeopleBatch,
    PeopleSource,
    PersonState,
    Runtime,
    Wait,
)
from mkc.interpreter.scenario import ExpectResult, ScenarioResult, run_command
from mkc.interpreter.scenario import run_scenario as _play
from mkc.interpreter.tokens import TokenContext, parse_datetime, parse_token_option, parse_token_value
from mkc.interpreter.transcript import format_activity, render, render_activities, write, write_activities

__all__ = [
    "ACTIVITY_TYPE_IDS",
    "START",
    "Activity",
    "BatchChanges",
    "BatchesResult",
    "CampaignResult",
    "Engine",
    "ExpectResult",
    "Interpreter",
    "InterpreterError",
    "Limits",
    "PeopleBatch",
    "PeopleSource",
    "PersonState",
    "Runtime",
    "ScenarioResult",
    "StepFailure",
    "TokenContext",
    "Wait",
    "format_activity",
    "parse_datetime",
    "parse_token_option",
    "parse_token_value",
    "render",
    "render_activities",
    "run_campaign",
    "run_scenario",
    "run_scenarios",
    "scenario_named",
    "write",
    "write_activities",
]


@attrs.frozen
class CampaignResult:
    """One batch campaign run: who entered, and every activity it led to."""

    campaign: str
    entered: tuple[str, ...]
    activities: tuple[Activity, ...]

    @property
    def failed(self) -> bool:
        """Whether some step failed (a `Failed Step` was logged)."""
        return any(a.type == "Failed Step" for a in self.activities)


@attrs.define
class BatchesResult:
    """One batch campaign run over people handed over in batches (`run_batches`):
    counts only, since the people and activities went back to their source."""

    campaign: str
    people: int = 0
    entered: int = 0
    activities: int = 0
    failed: bool = False  # some step failed (a `Failed Step` was logged)


class Interpreter:
    # The world's class: mkc.scale's workers use one whose queue gives every
    # item an order key, so that partitions of a run merge in the log's order.
    runtime_class = Runtime

    def __init__(self, model: Model, start: dt.datetime = START, schedules: bool = True, limits: Limits | None = None):
        self.model = model
        self.limits = limits or Limits()
        self.reset(start=start, schedules=schedules)

    def reset(self, model: Model | None = None, start: dt.datetime = START, schedules: bool = True) -> None:
        """A fresh world: the declared people, an empty log, the clock at
        `start`, every trigger campaign's own `active`, and (with `schedules`)
        every batch campaign's own `schedule` queued."""
        self.model = model or self.model
        self.runtime = self.runtime_class(self.model, start, self.limits)
        self.engine = Engine(self.runtime)
        if schedules:
            self.engine.schedule_declared()

    def use(self, model: Model) -> None:
        """Go on in the same world with an edited model (people, memberships
        and history are kept by name)."""
        self.model = model
        self.engine.use(model)

    # ---- the world -------------------------------------------------------------------

    @property
    def people(self) -> dict[str, PersonState]:
        return self.runtime.people

    @property
    def log(self) -> list[Activity]:
        return self.runtime.log

    @property
    def now(self) -> dt.datetime:
        return self.runtime.now

    @property
    def pending(self) -> list:
        return self.runtime.pending

    def campaign(self, ref) -> CampaignInfo:
        """A campaign by `Program.Campaign` or bare name (`ast.Ref`, or text)."""
        if isinstance(ref, CampaignInfo):
            return ref
        if isinstance(ref, str):
            ref = ast.Ref(tuple(p.strip().strip('"') for p in ref.split(".", 1)))
        return self.runtime.resolve("campaign", ref, None)

    # ---- running ---------------------------------------------------------------------

    def command(self, command) -> ExpectResult | None:
        """One scenario command, with the work it queued that is due by the
        clock: a run of its own (see `Limits`)."""
        self.runtime.begin_run()
        return run_command(self.engine, command)

    def run_steps(self, person: str, steps, campaign: CampaignInfo | None = None) -> list[Activity]:
        """Run flow steps (or choices) for one person now, in `campaign`'s lexical
        token context (or none), then the work they queued that is due; a wait
        queues the steps after it. Returns the activities logged."""
        if person not in self.runtime.people:
            raise InterpreterError(
                f"no person named {person}"
                if person not in self.runtime.deleted
                else f"{person} is not in the database (deleted)"
            )
        before = len(self.runtime.log)
        self.runtime.begin_run()
        run = FlowRun(campaign, person, TokenContext(campaign), steps=tuple(steps))
        self.engine.runs.setdefault(person, []).append(run)
        self.engine.run_flow(run, 0)
        self.engine.run_due(self.runtime.now)
        return self.runtime.log[before:]

    def run_scenario(self, scenario: ast.Scenario | str) -> ScenarioResult:
        """Play a scenario (or the one with that name) in a fresh world."""
        if isinstance(scenario, str):
            scenario = scenario_named(self.model, scenario)
        self.reset()
        return _play(self.engine, scenario, headed=len(_same_file(self.model.scenarios, scenario)) > 1)

    def run_campaign(self, ref, people=None, at: dt.datetime | None = None, tokens=None) -> CampaignResult:
        """Run one batch campaign in a fresh world at `at` (default: the clock's
        start) for everyone or `people`, with API My Tokens `tokens` (name ->
        AST value, e.g. from `parse_token_value`); then every piece of work it
        queued, waits included, until nothing is left."""
        self.reset(start=at or START, schedules=False)
        campaign = self.campaign(ref)
        entered = self.engine.batch_run(campaign, people, tokens)
        self.engine.run_due(None)
        return CampaignResult(campaign.full_name, tuple(entered), tuple(self.runtime.log))

    def run_batches(
        self,
        ref,
        source: PeopleSource,
        at: dt.datetime,
        until: dt.datetime | None,
        tokens=None,
        since: dt.datetime | None = None,
        progress=None,
    ) -> BatchesResult:
        """Run one batch campaign (`ref`; None: none, only the waits go on) over
        people that `source` hands over in batches (a database), writing each
        batch's changes back to it before the next.
        For each batch the clock starts at `since` (default `at`), the batch's
        waits due by `at` go on, the campaign runs at `at`, then the work it led
        to runs until `until` (None: until nothing is left); flows still waiting
        go back to the source. Waits of campaigns this model does not have are
        handed back untouched. `progress(n)` is called after each batch of n
        people. A flow only touches its own person, so each person ends as in a
        run over everyone; only activities of different people at one moment
        come batch by batch."""
        campaign = self.campaign(ref) if ref is not None else None
        if campaign is not None and campaign.kind != "batch":
            raise InterpreterError(f"{campaign.full_name} is not a batch campaign")

        def work(engine: Engine) -> list[str]:
            return engine.batch_run(campaign, None, tokens) if campaign is not None else []

        name = campaign.full_name if campaign is not None else ""
        return self.run_over(source.batches(), source, at, until, work, since, progress, name)

    def run_over(
        self,
        batches,
        source: PeopleSource,
        at: dt.datetime,
        until: dt.datetime | None,
        work=None,
        since: dt.datetime | None = None,
        progress=None,
        name: str = "",
    ) -> BatchesResult:
        """`run_batches`'s loop over the given `batches` of `source`, with
        `work(engine)` in place of the campaign run at `at` (it returns who
        entered; None: only the waits go on): what `mkc serve` does for the
        people a request names, one command at a time (a flow only touches
        its own person, so a batch of those people ends as a run over everyone)."""
        self.reset(start=since or at, schedules=False)
        rt, engine = self.runtime, self.engine
        by_key = {rt.keys(c): c for c in self.model.campaigns}
        result = BatchesResult(name)
        for batch in batches:
            rt.now = since or at
            rt.begin_run()  # (each batch is a run of its own: what it did is written back before the next)
            engine.runs.clear()
            rt.load(batch)
            kept = [w for w in batch.waits if not self._resume(w, by_key.get(w.campaign))]
            engine.run_due(at)
            rt.now = at
            if work is not None:
                result.entered += len(work(engine) or ())
            engine.run_due(until)
            changes = rt.changes([*kept, *self._waiting()])
            result.people += len(batch.people)
            result.activities += len(changes.activities)
            result.failed = result.failed or any(a.type == "Failed Step" for a in changes.activities)
            source.write(changes)
            if progress is not None:
                progress(len(batch.people))
        engine.runs.clear()
        return result

    def _resume(self, wait: Wait, campaign: CampaignInfo | None) -> bool:
        """Queue a stored wait to go on at its time; False if its campaign or
        person is not here."""
        if campaign is None or wait.person not in self.runtime.people:
            return False
        run = FlowRun(campaign, wait.person, TokenContext(campaign, dict(wait.overrides), wait.trigger))
        self.engine.runs.setdefault(wait.person, []).append(run)
        self.runtime.enqueue(wait.due, Resume(run, wait.step))
        return True

    def _waiting(self) -> list[Wait]:
        """The campaign flows still queued, as `Wait`s, in the order they would run."""
        return [w for when, item in self.runtime.pending if (w := self._wait_of(when, item)) is not None]

    def _wait_of(self, when: dt.datetime, item) -> Wait | None:
        """A queued item as a `Wait` to keep, if it is a campaign flow still going on."""
        rt = self.runtime
        run = getattr(item, "run", None)
        if run is None or run.campaign is None or run.steps is not None or run.cancelled or run.finished:
            return None
        if run.person not in rt.people:
            return None
        trigger = dict(run.context.trigger) if run.context.trigger is not None else None
        return Wait(when, run.person, rt.keys(run.campaign), item.index, dict(run.context.overrides), trigger)


def scenario_named(model: Model, name: str, file: str | None = None) -> ast.Scenario:
    scenarios = model.scenarios if file is None else [s for s in model.scenarios if s.span and s.span.file == file]
    found = next((s for s in scenarios if s.name == name), None)
    if found is None:
        known = ", ".join(f'"{s.name}"' for s in scenarios) or "none"
        raise InterpreterError(f'no scenario named "{name}" (scenarios: {known})')
    return found


def run_scenario(model: Model, scenario: ast.Scenario | str) -> ScenarioResult:
    return Interpreter(model).run_scenario(scenario)


def run_scenarios(
    model: Model, names=None, limits: Limits | None = None, file: str | None = None
) -> list[ScenarioResult]:
    """Every scenario of the model (or those named, in the order given), each
    in a fresh world; with `file`, only that file's (a project has many)."""
    interp = Interpreter(model, limits=limits)
    chosen = model.scenarios if names is None else [scenario_named(model, n, file) for n in names]
    if file is not None:
        chosen = [s for s in chosen if s.span is not None and s.span.file == file]
    return [interp.run_scenario(s) for s in chosen]


def _same_file(scenarios, scenario) -> list:
    """The scenarios written in the same file as `scenario` (a transcript heads
    each scenario with its name when its file has several)."""
    where = scenario.span.file if scenario.span is not None else None
    return [s for s in scenarios if (s.span.file if s.span is not None else None) == where]


def run_campaign(model: Model, ref, people=None, at: dt.datetime | None = None, tokens=None) -> CampaignResult:
    return Interpreter(model, schedules=False).run_campaign(ref, people, at, tokens)
