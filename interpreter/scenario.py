"""Scenario commands and expects (spec section 7).

`run_command` carries out one command against an `Engine` and finishes every
piece of work it queued that is due by the clock; `run_scenario` plays a whole
scenario from the declared people, an empty log and the clock at its start.
"""

from __future__ import annotations

import attrs

from mkc.grammar import ast
from mkc.grammar.ast import format_datetime
from mkc.grammar.dump import show_value
from mkc.grammar.walk import atoms
from mkc.interpreter.flow import Engine, field_name
from mkc.interpreter.runtime import Activity, CampaignName, InterpreterError, Unresolved
from mkc.interpreter.tokens import TokenContext, TokenError, Tokens
from mkc.interpreter.transcript import header_line, scenario_text
from mkc.stdlib import TRIGGERS
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


# Events that are a step's effect: the step logs the activity and fires the trigger.
_EVENT_STEPS = {
    "added_to_list": ("add_to_list", lambda a: {"list": a["list"]}),
    "data_value_changes": ("change_data_value", lambda a: {"field": a["field"], "value": a["to"]}),
    "program_status_changes": ("change_program_status", lambda a: {"program": a["program"], "status": a["to"]}),
}


def event(engine: Engine, command: ast.Event) -> None:
    """`event P TRIGGER ARGS`: record the trigger's activity and fire it."""
    spec = TRIGGERS.get(command.trigger)
    if spec is None:
        raise InterpreterError(f"`{command.trigger}` is not a trigger")
    args = spec.signature.bind(command.args, command.kwargs)
    handle = command.person
    if command.trigger in _EVENT_STEPS:
        step, make = _EVENT_STEPS[command.trigger]
        step_args = make(args)
        if None in step_args.values():
            missing = "to=" if command.trigger != "added_to_list" else "the list"
            raise InterpreterError(f"event {command.trigger} needs {missing}: it is what happens to {handle}")
        engine.run_outside(handle, step, step_args)
        return
    if command.trigger == "campaign_is_requested":
        raise InterpreterError("a campaign is requested with `request CAMPAIGN for PERSON`, not with `event`")
    if command.trigger == "score_is_changed":
        field = field_name(args["field"]) if args["field"] is not None else "lead_score"
        current = engine.rt.person(handle).get(field)
        engine.log(handle, None, "Change Score", field=field, old=current, new=current, change="+0")
        engine.fire(Event("score_is_changed", handle, field, {"field": field, "old": current, "new": current}))
        return
    tokens = Tokens(engine.rt, TokenContext(None), handle)
    if command.trigger == "fills_out_form":
        try:  # the checker rejects what cannot be answered here; whatever is left is the command's error
            form = text(tokens.value(args["form"]))
        except TokenError as err:
            raise InterpreterError(str(err)) from None
        engine.log(handle, None, "Fill Out Form", form=form)
        engine.fire(Event("fills_out_form", handle, form, {"form": form}))
    else:  # person_is_created
        engine.log(handle, None, spec.activity)
        engine.fire(Event(command.trigger, handle, spec.title, {}))


# ---- expects ------------------------------------------------------------------------


def expect_condition(engine: Engine, command: ast.Expect) -> ExpectResult:
    rt = engine.rt
    written = f"expect {_name(command.person)} {format_cond(command.cond)}"
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
    words = "expect no activity" if command.negated else "expect activity"
    shown = " ".join(f"{k.name}={show_value(k.value)}" for k in command.kwargs)
    written = f"{words} {_name(command.person)} {show_value(ast.Str(command.activity))}"
    written += f" {shown}" if shown else ""
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
            part = f"{_name(atom.field)}={value}"
        else:
            holds = engine.conditions.holds(atom, person, None, tokens)
            if len(found) == 1:
                return "true" if holds else "false"
            part = f"{format_cond(atom)} is {'true' if holds else 'false'}"
        if part not in parts:
            parts.append(part)
    return ", ".join(parts)


def format_cond(cond) -> str:
    """A condition written back as mkc source. With a stack, not recursion:
    `a and b and … and z` nests as deep as it is long."""
    out: list[str] = []
    todo: list = [cond]  # what is still to write, last first: text, or a condition
    while todo:
        cond = todo.pop()
        if isinstance(cond, str):
            out.append(cond)
        elif isinstance(cond, ast.Not):
            todo += reversed(["not ", *_group(cond.cond, (ast.And, ast.Or))])
        elif isinstance(cond, (ast.And, ast.Or)):
            join, inner = (" and ", ast.Or) if isinstance(cond, ast.And) else (" or ", ast.And)
            parts: list = []
            for term in ast.terms(cond):
                parts += [join, *_group(term, inner)] if parts else _group(term, inner)
            todo += reversed(parts)
        elif isinstance(cond, ast.FieldCond):
            operands = [show_value(v) for v in cond.operands]
            rest = " and ".join(operands) if cond.op == "between" else " ".join(operands)
            out.append(f"{_name(cond.field)} {cond.op}" + (f" {rest}" if rest else ""))
        else:
            args = [show_value(v) for v in cond.args] + [f"{k.name}={show_value(k.value)}" for k in cond.kwargs]
            out.append(" ".join([cond.name, *args]))
    return "".join(out)


def _group(cond, kinds) -> list:
    """`cond` to write, in parentheses when it is one of `kinds`."""
    return ["(", cond, ")"] if isinstance(cond, kinds) else [cond]


def _name(name: str) -> str:
    return name if name.isidentifier() else show_value(ast.Str(name))


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
