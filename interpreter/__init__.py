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

`format_activity(activity)` is an activity's transcript line;
`render(results, fmt)` whole transcripts. Runs need a model without check
errors: the interpreter trusts the checker and reports what slips through at
run time as a `Failed Step` (in a flow) or an `InterpreterError` (a command).
"""

from __future__ import annotations

import datetime as dt

import attrs

from mkc.checker.model import CampaignInfo, Model
from mkc.grammar import ast
from mkc.interpreter.flow import Engine, FlowRun, StepFailure
from mkc.interpreter.runtime import (
    ACTIVITY_TYPE_IDS,
    START,
    Activity,
    InterpreterError,
    PersonState,
    Runtime,
)
from mkc.interpreter.scenario import ExpectResult, ScenarioResult, run_command
from mkc.interpreter.scenario import run_scenario as _play
from mkc.interpreter.tokens import TokenContext, parse_datetime, parse_token_option, parse_token_value
from mkc.interpreter.transcript import format_activity, render, render_activities

__all__ = [
    "ACTIVITY_TYPE_IDS",
    "START",
    "Activity",
    "CampaignResult",
    "Engine",
    "ExpectResult",
    "Interpreter",
    "InterpreterError",
    "PersonState",
    "Runtime",
    "ScenarioResult",
    "StepFailure",
    "TokenContext",
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


class Interpreter:
    def __init__(self, model: Model, start: dt.datetime = START, schedules: bool = True):
        self.model = model
        self.reset(start=start, schedules=schedules)

    def reset(self, model: Model | None = None, start: dt.datetime = START, schedules: bool = True) -> None:
        """A fresh world: the declared people, an empty log, the clock at
        `start`, every trigger campaign's own `active`, and (with `schedules`)
        every batch campaign's own `schedule` queued."""
        self.model = model or self.model
        self.runtime = Runtime(self.model, start)
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
        """One scenario command, with the work it queued that is due by the clock."""
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
        return _play(self.engine, scenario, headed=len(self.model.scenarios) > 1)

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


def scenario_named(model: Model, name: str) -> ast.Scenario:
    found = next((s for s in model.scenarios if s.name == name), None)
    if found is None:
        known = ", ".join(f'"{s.name}"' for s in model.scenarios) or "none"
        raise InterpreterError(f'no scenario named "{name}" (scenarios: {known})')
    return found


def run_scenario(model: Model, scenario: ast.Scenario | str) -> ScenarioResult:
    return Interpreter(model).run_scenario(scenario)


def run_scenarios(model: Model, names=None) -> list[ScenarioResult]:
    """Every scenario of the model (or those named, in the order given), each
    in a fresh world."""
    interp = Interpreter(model)
    chosen = model.scenarios if names is None else [scenario_named(model, n) for n in names]
    return [interp.run_scenario(s) for s in chosen]


def run_campaign(model: Model, ref, people=None, at: dt.datetime | None = None, tokens=None) -> CampaignResult:
    return Interpreter(model, schedules=False).run_campaign(ref, people, at, tokens)
