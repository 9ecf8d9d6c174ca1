"""Scenario commands and expects (spec section 7).

`run_command` carries out one command against an `Engine` and finishes every
piece of work it queued that is due by the clock; `run_scenario` plays a whole
scenario from the declared people, an empty log and the clock at its start.
"""

from __future__ import annotations

import attrs

from mkc.grammar import ast, unparse
from mkc.grammar.ast import format_datetime
from mkc.grammar.dump import show_value
from mkc.grammar.walk import atoms
from mkc.interpreter.flow import Engine, field_name
from mkc.interpreter.runtime import Activity, CampaignName, InterpreterError, Unresolved
from mkc.interpreter.tokens import TokenContext, TokenError, Tokens
from mkc.interpreter.transcript import header_line, scenario_text
from mkc.stdlib import STEPS, TRIGGERS
from mkc.stdlib.triggers import Event
from mkc.stdlib.values import END_OF_TIME, duration_delta, equals, later, literal, text


@attrs.frozen
class ExpectResult:
    """One `expect`: as written, whether it passed, what was found instead,
    and how many activities had been logged when it ran (its place in the
    transcript)."""

    text: str
    passed: bool
    got: str | None = None
    position: int = 0
    line: int | None = None

    @property
    def line_text(self) -> str:
        return f"PASS {self.text}" if self.passed else f"FAIL {self.text}, got {self.got}"


@attrs.frozen
class ScenarioResult:
    """What a scenario did: its activities, its expects, and the error that
    stopped it, if one did (then it fails, whatever its expects said)."""

    name: str
    activities: tuple[Activity, ...]
    expects: tuple[ExpectResult, ...]
    error: str | None = None
    error_position: int = 0
    headed: bool = False  # its file has several scenarios, so its transcript starts with a header line

    @property
    def passed(self) -> bool:
        return self.error is None and all(e.passed for e in self.expects)

    @property
    def header(self) -> str:
        """`scenario "NAME"`: the line that starts its transcript when `headed`."""
        return header_line(self.name)

    @property
    def transcript_text(self) -> str:
        """The log and the expects' lines, without a header line."""
        return scenario_text(self)

    @property
    def transcript(self) -> str:
        """Exactly what `mkc run` prints for this scenario (header line when `headed`)."""
        return scenario_text(self, self.headed)


def run_scenario(engine: Engine, scenario: ast.Scenario, headed: bool = False) -> ScenarioResult:
    """Play `scenario` in `engine`'s world, which must be fresh (see `Interpreter.reset`)."""
    rt = engine.rt
    expects: list[ExpectResult] = []
    error, error_position = None, 0
    try:
        engine.run_due(rt.now)  # scheduled work due at the very start
        for command in scenario.commands:
            try:
                result = run_command(engine, command)
            except InterpreterError as err:
                line = command.span.line if command.span else None
                raise InterpreterError(f"line {line}: {err}" if line else str(err)) from None
            if result is not None:
                expects.append(result)
    except InterpreterError as err:
        error, error_position = str(err), len(rt.log)
    rt.drop_pending()  # work not yet due when the scenario ends is dropped
    return ScenarioResult(scenario.name, tuple(rt.log), tuple(expects), error, error_position, headed)


def run_command(engine: Engine, command) -> ExpectResult | None:
    """Carry out one scenario command; an `expect` gives its result."""
    rt = engine.rt
    if isinstance(command, ast.Expect):
        return expect_condition(engine, command)
    if isinstance(command, ast.ExpectActivity):
        return expect_activity(engine, command)
    if isinstance(command, ast.At):
        when = command.when.value
        if when >= rt.now:
            engine.run_due(when)
        else:
            rt.now = when
        return None
    if isinstance(command, ast.Advance):
        until = later(rt.now, duration_delta(command.duration))
        if until is None:
            raise InterpreterError(
                f"advance {command.duration}: the clock would pass {format_datetime(END_OF_TIME)}, its end"
            )
        engine.run_due(until)
        return None
    if isinstance(command, (ast.Activate, ast.Deactivate)):
        rt.set_active(_campaign(engine, command.campaign), isinstance(command, ast.Activate))
        return None
    if isinstance(command, ast.Run):
        handles = None if command.people is None else _people(engine, command.people)
        engine.batch_run(_campaign(engine, command.campaign), handles)
    elif isinstance(command, ast.ScheduleRun):
        engine.schedule(_campaign(engine, command.campaign), command.at.value, _overrides(command.tokens))
    elif isinstance(command, ast.Request):
        campaign = _campaign(engine, command.campaign)
        if campaign.kind != "trigger":
            raise InterpreterError(f"{campaign.full_name} is not a trigger campaign, so it cannot be requested")
        for handle in _people(engine, command.people):
            engine.request(campaign, handle, "api", None, _overrides(command.tokens))
    elif isinstance(command, ast.Set):
        if _present(engine, command.person):
            if isinstance(command.value, ast.ScoreChange):
                engine.run_outside(command.person, "change_score", {"change": command.value, "field": command.field})
            else:
                engine.run_outside(
                    command.person, "change_data_value", {"field": command.field, "value": command.value}
                )
    elif isinstance(command, ast.Event):
        if _present(engine, command.person):
            event(engine, command)
    else:
        raise InterpreterError(f"`{type(command).__name__}` is not a scenario command")
    engine.run_due(rt.now)
    return None


def event(engine: Engine, command: ast.Event) -> None:
    """`event P TRIGGER ARGS`: record the trigger's activity and fire it: as
    the trigger says (`TriggerSpec.happens`), or else by running the step
    that logs its activity, with the trigger's arguments."""
    spec = TRIGGERS.get(command.trigger)
    if spec is None:
        raise InterpreterError(f"`{command.trigger}` is not a trigger")
    args = spec.signature.bind(command.args, command.kwargs)
    if spec.happens is not None:
        spec.happens(_Happening(engine, command.person), args)
        return
    step = next((s for s in STEPS.values() if s.logs is not None and s.logs.name == spec.activity), None)
    if step is None:
        raise InterpreterError(f"no step logs {spec.activity}, so `event {command.trigger}` cannot happen")
    # Each of the step's parameters gets the trigger's argument about the same attribute.
    given = {attribute: args[name] for name, attribute in spec.about.items()}
    step_args = {p.name: p.default for p in step.signature.params}
    step_args.update({param: given[attribute] for param, attribute in step.about.items() if attribute in given})
    taken = set(step.about.values())
    missing = [p for p in spec.signature.params if spec.about.get(p.name) in taken and args[p.name] is None]
    if missing:
        first = min(missing, key=lambda p: p.positional)  # `to=` before the subject, as the step needs both
        needs = f"the {first.name}" if first.positional else f"{first.name}="
        raise InterpreterError(f"event {command.trigger} needs {needs}: it is what happens to {command.person}")
    engine.run_outside(command.person, step.name, step_args)


class _Happening:
    """A scenario's `event` as `TriggerSpec.happens` does it (the `Happening` protocol)."""

    def __init__(self, engine: Engine, handle: str):
        self.engine, self.handle = engine, handle

    def log(self, type_: str, **attributes) -> None:
        self.engine.log(self.handle, None, type_, **attributes)

    def fire(self, trigger: str, name: str, data: dict) -> None:
        self.engine.fire(Event(trigger, self.handle, name, data))

    def field(self, node) -> str:
        return field_name(node)

    def get(self, field: str):
        return self.engine.rt.person(self.handle).get(field)

    def text(self, node) -> str:
        try:  # the checker rejects what cannot be answered here; whatever is left is the command's error
            return text(Tokens(self.engine.rt, TokenContext(None), self.handle).value(node))
        except TokenError as err:
            raise InterpreterError(str(err)) from None

    def refuse(self, message: str):
        raise InterpreterError(message)


# ---- expects ------------------------------------------------------------------------


def expect_condition(engine: Engine, command: ast.Expect) -> ExpectResult:
    rt = engine.rt
    written = unparse.command(command)
    where = dict(position=len(rt.log), line=command.span.line if command.span else None)
    person = rt.view(command.person)
    if person is None:
        return ExpectResult(written, False, _absent(engine, command.person), **where)
    tokens = Tokens(rt, TokenContext(None), command.person)
    try:
        if engine.conditions.holds(command.cond, person, None, tokens):
            return ExpectResult(written, True, **where)
        got = _describe(engine, command.cond, person, tokens)
    except (Unresolved, TokenError) as err:
        got = str(err)
    return ExpectResult(written, False, got, **where)


def expect_activity(engine: Engine, command: ast.ExpectActivity) -> ExpectResult:
    rt = engine.rt
    written = unparse.command(command)
    where = dict(position=len(rt.log), line=command.span.line if command.span else None)
    if command.person not in rt.people and command.person not in rt.deleted:
        raise InterpreterError(f"no person named {command.person}")
    count, wanted = None, []
    for k in command.kwargs:
        if k.name == "count":
            if not (isinstance(k.value, ast.Num) and float(k.value.value).is_integer() and k.value.value >= 0):
                raise InterpreterError(f"count={show_value(k.value)}: a count is a whole number")
            count = int(k.value.value)
        else:
            try:  # a deleted person's `lead.*` has no answer: the expect fails, as `expect_condition`'s do
                wanted.append((k.name, Tokens(rt, TokenContext(None), command.person).value(k.value)))
            except TokenError as err:
                return ExpectResult(written, False, str(err), **where)
    found = sum(
        1
        for act in rt.activities_of(command.person)
        if act.type.casefold() == command.activity.casefold() and all(_matches(act, n, v) for n, v in wanted)
    )
    passed = found == 0 if command.negated else found >= 1 if count is None else found == count
    return ExpectResult(written, passed, None if passed else str(found), **where)


def _matches(act: Activity, name: str, expected) -> bool:
    """Whether an activity's attribute (or its flow, via or time) is `expected`:
    a campaign by its full or bare name, booleans and text case-insensitively,
    numbers by value (an empty number counts as 0)."""
    special = {"flow": act.flow, "via": act.via, "time": act.time, "person": act.person}
    if name in special:
        actual = special[name]
    elif name in act.attributes:
        actual = act.attributes[name]
    else:
        return False
    return _value_matches(actual, expected)


def _value_matches(actual, expected) -> bool:
    if isinstance(actual, tuple):  # via: any campaign on the way, or the whole chain
        return (
            any(_value_matches(a, expected) for a in actual) or ">".join(actual).casefold() == text(expected).casefold()
        )
    if isinstance(actual, CampaignName):
        return actual.matches(text(expected))
    return equals(actual, expected)


def _describe(engine: Engine, cond, person, tokens) -> str:
    """What an expect found: the field's value, or each part of a compound condition."""
    found = list(atoms(cond))
    parts: list[str] = []
    for atom in found:
        if isinstance(atom, ast.FieldCond):
            value = literal(person.get(atom.field))
            if len(found) == 1:
                return value
            part = f"{unparse.name(atom.field)}={value}"
        else:
            holds = engine.conditions.holds(atom, person, None, tokens)
            if len(found) == 1:
                return "true" if holds else "false"
            part = f"{unparse.cond(atom)} is {'true' if holds else 'false'}"
        if part not in parts:
            parts.append(part)
    return ", ".join(parts)


# ---- references from a scenario ---------------------------------------------------------


def _campaign(engine: Engine, ref):
    return engine.rt.resolve("campaign", ref, None)


def _overrides(tokens: ast.Tokens | None) -> dict:
    return {d.name: d.value for d in tokens.decls} if tokens is not None else {}


def _people(engine: Engine, handles) -> list[str]:
    """The named people still in the database (a deleted person is skipped)."""
    return [h for h in handles if _present(engine, h)]


def _present(engine: Engine, handle: str) -> bool:
    if handle in engine.rt.people:
        return True
    if handle in engine.rt.deleted:
        return False
    raise InterpreterError(f"no person named {handle}")


def _absent(engine: Engine, handle: str) -> str:
    if handle in engine.rt.deleted:
        return f"{handle} is not in the database (deleted)"
    return f"no person named {handle}"
