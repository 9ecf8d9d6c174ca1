"""Why one person does or does not go through one campaign: `mkc explain`.

The world is the interpreter's: the declared people at a moment, or the state
a scenario leaves behind. Every verdict is the interpreter's own: filters are
evaluated with its `Conditions.holds`, the smart list with
`Engine.qualifies`, the qualification rule with `Runtime.may_enter`, token
values with its `Tokens`, and a trigger's match with the standard library's
`matches`. This module only collects those answers and words them, so
explain cannot disagree with `mkc run`.

For each `execute_campaign` in the campaign's flow, the child is explained
the same way, in the token context it would get, down to Marketo's three
levels. The person is taken as they are at the moment explained: steps that
run before the execute in the same flow may change that.
"""

from __future__ import annotations

import datetime as dt

import attrs

from mkc.checker.executables import MAX_LEVELS
from mkc.checker.model import CampaignInfo, Model
from mkc.checker.tokens import campaign_uses
from mkc.grammar import ast, template, walk
from mkc.grammar import logic as logic_line
from mkc.grammar.dump import show_value
from mkc.grammar.unparse import call as show_call
from mkc.grammar.unparse import cond as format_cond
from mkc.insight.contexts import RunContext
from mkc.interpreter import START, Activity, Interpreter, InterpreterError, TokenContext
from mkc.interpreter.flow import TriggerEnv
from mkc.interpreter.runtime import Unresolved
from mkc.interpreter.scenario import run_command
from mkc.interpreter.tokens import TokenError, Tokens
from mkc.stdlib.triggers import Event
from mkc.stdlib.values import literal

# ---- the world at a moment ------------------------------------------------------------


@attrs.frozen(eq=False)
class Moment:
    interp: Interpreter
    label: str  # "2026-02-02T10:00, after scenario "…""


def moment(model: Model, scenario: str | None = None, at: dt.datetime | None = None) -> Moment:
    """The world after scenario `scenario` (then the clock set to `at`, as the
    `at` command would), or the declared people with the clock at `at`.
    InterpreterError for a scenario that does not exist, or an `at` before its end."""
    if scenario is not None:
        interp = Interpreter(model)
        result = interp.run_scenario(scenario)
        if at is not None and at < interp.now:  # the clock never goes back: what was logged would be in the future
            raise InterpreterError(
                f'--at {ast.format_datetime(at)} is before the end of scenario "{result.name}" '
                f"({ast.format_datetime(interp.now)}): give a later moment, or leave --at out"
            )
        if at is not None:
            run_command(interp.engine, ast.At(ast.DateTime(at, True)))
        label = f'after scenario "{result.name}"'
        if result.error:
            label += f" (it stopped: {result.error})"
    else:
        interp = Interpreter(model, start=at or START, schedules=False)
        label = "the declared people"
    return Moment(interp, f"{ast.format_datetime(interp.now)}, {label}")


# ---- what explain finds ------------------------------------------------------------------


@attrs.frozen
class FilterRow:
    number: int
    condition: str  # as written
    found: str  # the person's values
    result: bool | None  # None: cannot be evaluated
    error: str | None = None


@attrs.frozen
class TriggerRow:
    trigger: str
    summary: str
    matched: tuple[Activity, ...]
    others: int  # activities of the same type that did not match


@attrs.frozen
class TokenRow:
    token: str
    value: str | None  # None: cannot be answered
    origin: str


@attrs.define
class Explanation:
    campaign: CampaignInfo
    person: str
    context: str  # the token context, in words
    active: bool
    valid: bool
    triggers: list[TriggerRow]
    filters: list[FilterRow]
    logic: str  # the logic line with each filter's result filled in
    qualifies: bool  # the interpreter's verdict on the smart list
    rule: str
    runs: list[dt.datetime]
    may_enter: bool
    tokens: list[TokenRow]
    verdict: str = ""
    calls: list[CallExplanation] = attrs.Factory(list)
    callers: list[str] = attrs.Factory(list)  # for an executable explained on its own


@attrs.define
class CallExplanation:
    step: ast.Step
    target: str
    use_parent: bool
    branch: str | None  # for a step in a choice: whether its branch would run now
    child: Explanation | None
    problem: str | None = None  # why the child cannot run


# ---- explaining ------------------------------------------------------------------------------


def explain(moment_: Moment, campaign: CampaignInfo, person: str, callers=None) -> Explanation:
    interp = moment_.interp
    if person not in interp.people:
        why = "was deleted" if person in interp.runtime.deleted else "is not a declared person"
        raise InterpreterError(f"{person} {why}")
    return _Explainer(interp, person).campaign(campaign, TokenContext(campaign), RunContext(campaign), 0, callers)


class _Explainer:
    def __init__(self, interp: Interpreter, person: str):
        self.interp = interp
        self.rt = interp.runtime
        self.engine = interp.engine
        self.person = person

    def campaign(self, c: CampaignInfo, context: TokenContext, run: RunContext, depth: int, callers=None):
        rt, handle = self.rt, self.person
        view = rt.view(handle)
        tokens = Tokens(rt, context, handle)
        valid = c.smart_list is None or self.engine.conditions.valid(c.smart_list, c.scope)
        filters = self.filters(c, view, tokens)
        qualifies = self.engine.qualifies(c, handle, context)
        rule = c.qualification
        e = Explanation(
            campaign=c,
            person=handle,
            context=run.describe() if depth else "its own context",
            active=rt.is_active(c),
            valid=valid,
            triggers=self.triggers(c),
            filters=filters,
            logic=_logic_line(c, filters, qualifies),
            qualifies=qualifies,
            rule=(f"{rule.mode} {rule.period}" if rule.period else rule.mode) if rule else "once (the default)",
            runs=list(rt.history.get((rt.keys(c), handle), [])),
            may_enter=rt.may_enter(c, handle),
            tokens=self.tokens(c, tokens, run),
        )
        e.verdict = _verdict(e, depth)
        if depth == 0 and c.kind == "executable":
            e.callers = [ctx.describe() for ctx in (callers or [])]
        if depth < MAX_LEVELS:
            e.calls = self.calls(c, context, run, depth, tokens)
        return e

    # -- the smart list
    def filters(self, c: CampaignInfo, view, tokens: Tokens) -> list[FilterRow]:
        rows = []
        for i, f in enumerate(c.smart_list.filters if c.smart_list else (), 1):
            conditions = self.engine.conditions
            try:
                result = conditions.holds(f.cond, view, c.scope, tokens)
                rows.append(FilterRow(i, format_cond(f.cond), self.found(f.cond, view, c, tokens), result))
            except (Unresolved, TokenError) as err:
                rows.append(FilterRow(i, format_cond(f.cond), "", None, str(err)))
        return rows

    def found(self, cond, view, c: CampaignInfo, tokens: Tokens) -> str:
        """The person's values a condition looks at, in words."""
        parts: list[str] = []
        atoms = list(walk.atoms(cond))
        for atom in atoms:
            if isinstance(atom, ast.FieldCond):
                value = view.get(atom.field)
                part = f"{atom.field} is {'empty' if value is None else literal(value)}"
                tokened = [v for v in atom.operands if _has_token(v)]
                part += "".join(f", {show_value(v)} is {literal(tokens.value(v))}" for v in tokened)
            elif atom.name == "member_of_program" and atom.args:
                program = self.rt.resolve("program", atom.args[0], c.scope)
                status = view.status(program)
                part = f"status in {program.name} is {literal(status)}" if status else f"not a member of {program.name}"
            else:
                holds = self.engine.conditions.holds(atom, view, c.scope, tokens)
                part = f"{format_cond(atom)} is {'true' if holds else 'false'}"
            if part not in parts:
                parts.append(part)
        return "; ".join(parts)

    def triggers(self, c: CampaignInfo) -> list[TriggerRow]:
        rows = []
        env = TriggerEnv(self.engine, c)
        for bound_trigger in self.rt.model.bound.triggers_of(c):
            trigger, spec, bound = bound_trigger.node, bound_trigger.spec, bound_trigger.args
            if spec is None:
                continue
            matched, others = [], 0
            for act in self.rt.activities_of(self.person):
                if act.type != spec.activity:
                    continue
                event = self.event(act, spec, c)
                try:
                    hit = event is not None and spec.matches(env, bound, event)
                except (Unresolved, TokenError):
                    hit = False
                if hit:
                    matched.append(act)
                else:
                    others += 1
            rows.append(TriggerRow(show_call(trigger), spec.summary, tuple(matched), others))
        return rows

    def event(self, act: Activity, spec, c: CampaignInfo) -> Event | None:
        """The event of `spec`'s trigger a logged activity fired, as the
        interpreter built it (`TriggerSpec.event`), or None when it fired none."""
        target = self.by_key(act.target) if act.target is not None else None
        found = spec.event(act, target)
        if found is None or (spec.only_named and found[1]["campaign"] is not c):
            return None  # (a request fires only the campaign requested)
        return Event(spec.name, act.person, *found)

    def by_key(self, key):
        model, keys = self.rt.model, self.rt.keys
        if not hasattr(self, "_by_key"):
            found = {keys(c): c for c in model.campaigns}
            found.update({keys(p): p for ps in model.programs.values() for p in ps.values()})
            for scope in model.all_scopes:
                for node in scope.assets.get("list", {}).values():
                    found[keys(node)] = node
            self._by_key = found
        return self._by_key.get(key)

    # -- tokens
    def tokens(self, c: CampaignInfo, tokens: Tokens, run: RunContext) -> list[TokenRow]:
        rows, seen = [], set()
        for use in campaign_uses(self.rt.model, c):
            if use.text in seen:
                continue
            seen.add(use.text)
            token = template.parse_token(use.text)  # with its default
            try:
                value = literal(tokens.answer(token))
            except TokenError as err:
                rows.append(TokenRow(use.text, None, f"cannot be answered: {err}"))
                continue
            rows.append(TokenRow(use.text, value, self.origin(use, run, tokens.context)))
        return rows

    def origin(self, use, run: RunContext, context: TokenContext) -> str:
        if use.scope == "my":
            if use.name in context.overrides:
                return "from the API"
            source = run.my(self.rt.model, use.name)
            return source.describe() if source else "undefined"
        passed = f", passed down from {run.start.full_name}" if context.campaign is not run.campaign else ""
        return {
            "lead": "the person's field",
            "system": "the clock",
            "campaign": f"the campaign{passed}",
            "program": f"the program{passed}",
            "member": f"membership in the program{passed}",
            "trigger": "the event that fired the campaign",
        }.get(use.scope, "")

    # -- execute_campaign steps
    def calls(self, c: CampaignInfo, context: TokenContext, run: RunContext, depth: int, tokens: Tokens):
        out = []
        branches = self.branches(c, tokens)
        bound = self.rt.model.bound
        edges = {id(edge.step): edge for edge in bound.executes_from(c)}
        for bound_step in bound.steps_of(c):
            step, use_parent = bound_step.node, bound_step.parent_context
            if step.name != "execute_campaign" or not step.args:
                continue
            try:
                target = self.rt.target(bound_step.targets["campaign"])
            except Unresolved as err:
                name = show_value(step.args[0])
                out.append(CallExplanation(step, name, use_parent, branches.get(id(step)), None, str(err)))
                continue
            if target.kind != "executable" or any(call.target is target for call in run.calls) or target is c:
                problem = "not an executable campaign" if target.kind != "executable" else "a loop of executables"
                out.append(CallExplanation(step, target.full_name, use_parent, branches.get(id(step)), None, problem))
                continue
            child_context = context.passed_to(target) if use_parent else TokenContext(target)
            child_run = RunContext(target, (*run.calls, edges[id(step)]), run.api)
            child = self.campaign(target, child_context, child_run, depth + 1)
            out.append(CallExplanation(step, target.full_name, use_parent, branches.get(id(step)), child))
        return out

    def branches(self, c: CampaignInfo, tokens: Tokens) -> dict[int, str]:
        """For each step inside a choice: whether its branch would run now."""
        out: dict[int, str] = {}
        view = self.rt.view(self.person)
        for choice in walk.choices(c.steps):
            chosen, why = None, "no `when` holds"
            try:
                for when in choice.whens:
                    if self.engine.conditions.holds(when.cond, view, c.scope, tokens):
                        chosen, why = when.step, f"`when {format_cond(when.cond)}` holds"
                        break
                else:
                    chosen = choice.default
            except (Unresolved, TokenError) as err:
                chosen, why = None, f"the choice fails ({err})"
            for when in choice.whens:
                if isinstance(when.step, ast.Step):
                    runs = when.step is chosen
                    out[id(when.step)] = f"in a choice, under `when {format_cond(when.cond)}`: " + (
                        "this branch runs now" if runs else f"not now ({why})"
                    )
            if isinstance(choice.default, ast.Step):
                runs = choice.default is chosen
                out[id(choice.default)] = "in a choice, the default branch: " + (
                    "it runs now" if runs else f"not now ({why})"
                )
        return out


def _has_token(value) -> bool:
    return isinstance(value, ast.Token) or (isinstance(value, ast.Str) and "<<" in value.text)


def _logic_line(c: CampaignInfo, filters: list[FilterRow], qualifies: bool) -> str:
    if not filters:
        return "no filters: everyone qualifies" if c.smart_list is None or not c.smart_list.filters else ""
    results = ["?" if f.result is None else "true" if f.result else "false" for f in filters]
    written = c.smart_list.logic.text if c.smart_list.logic else "all"
    word = written.strip().casefold()
    if word in ("all", "any"):
        joiner = " and " if word == "all" else " or "
        numbers = joiner.join(str(f.number) for f in filters)
        default = " (the default)" if c.smart_list.logic is None else ""
        shown = f"{word}{default}: {numbers}" + (f" = {joiner.join(results)}" if len(results) > 1 else "")
    else:
        filled, at = [], 0
        for f in logic_line.filters(logic_line.parse(written, mixed=True)):
            filled.append(written[at : f.start])
            filled.append(results[f.number - 1] if 1 <= f.number <= len(results) else f"{f.number}?")
            at = f.end
        shown = f"{written} = {''.join(filled)}{written[at:]}"
    return f"{shown} = {'true' if qualifies else 'false'}"


# ---- the verdict ------------------------------------------------------------------------


def _verdict(e: Explanation, depth: int) -> str:
    c, who = e.campaign, e.person
    blockers = []
    if not e.valid:
        blockers.append("its smart list is invalid (it names a missing asset or filter), so nobody qualifies")
    elif not e.qualifies:
        failed = [f for f in e.filters if f.result is not True]
        if failed:
            said = ", ".join(
                f"filter {f.number} ({f.condition}) {'fails' if f.result is False else 'cannot be evaluated'}"
                for f in failed
            )
            blockers.append(
                said if len(failed) == len(e.filters) or not _custom_logic(c) else f"the logic fails: {said}"
            )
        else:
            blockers.append("the smart list does not qualify them")
    if not e.may_enter:
        last = ast.format_datetime(e.runs[-1]) if e.runs else "?"
        blockers.append(f"the qualification rule ({e.rule}) does not let them run again after {last}")
    if c.kind == "trigger" and not e.active:
        blockers.append("the campaign is inactive, so no trigger starts it")
    if depth:
        head = f"Executed now, {c.full_name} would "
        ok = "qualify for {who}: Executed Campaign qualified=TRUE, then its steps run in the caller's flow"
        no = "not qualify for {who} (Executed Campaign qualified=FALSE)"
    elif c.kind == "batch":
        head = f"A run of {c.full_name} now would "
        ok = "take {who} through its flow"
        no = "not take {who} through its flow"
    elif c.kind == "trigger":
        events = " or ".join(r.trigger for r in e.triggers) or "its trigger"
        head = f"On the next {events} for {who}, {c.full_name} would "
        ok = "start its flow for them"
        no = "not start"
    else:
        head = f"Executed for {who} now, {c.full_name} would "
        ok = "qualify (Executed Campaign qualified=TRUE)"
        no = "not qualify (Executed Campaign qualified=FALSE)"
    if not blockers:
        return head + ok.format(who=who) + "."
    return head + no.format(who=who) + ": " + "; and ".join(blockers) + "."


def _custom_logic(c: CampaignInfo) -> bool:
    logic = c.smart_list.logic if c.smart_list else None
    return logic is not None and logic.text.strip().casefold() not in ("all",)


# ---- text ------------------------------------------------------------------------------------


def render(e: Explanation, moment_: Moment) -> str:
    out = [f"explain {e.campaign.full_name} for {e.person} at {moment_.label}", ""]
    _campaign_lines(e, out, "")
    return "\n".join(out) + "\n"


def _campaign_lines(e: Explanation, out: list[str], pad: str) -> None:
    c = e.campaign
    state = "" if c.kind != "trigger" else (", active" if e.active else ", inactive")
    out.append(f"{pad}campaign {c.full_name} ({c.kind}{state}), in {e.context}")
    if e.callers:
        out.append(f"{pad}  executed by:")
        out += [f"{pad}    {caller}" for caller in e.callers]
    if e.triggers:
        out.append(f"{pad}  triggers (any one starts it):")
        for row in e.triggers:
            if row.matched:
                last = row.matched[-1]
                seen = f"matched {len(row.matched)} time{'s' if len(row.matched) != 1 else ''}, last at " + (
                    f"{ast.format_datetime(last.time)} ({last.type})"
                )
            else:
                seen = f"no matching activity for {e.person} yet"
            other = (
                f"; {row.others} other{'s' if row.others != 1 else ''} of that type did not match" if row.others else ""
            )
            out.append(f"{pad}    {row.trigger}: {seen}{other}")
    if not e.valid:
        out.append(f"{pad}  smart list: invalid (names a missing asset or filter): nobody qualifies")
    if e.filters:
        out.append(f"{pad}  filters:")
        width = max(len(f.condition) for f in e.filters)
        for f in e.filters:
            result = "cannot be evaluated: " + f.error if f.result is None else ("true " if f.result else "false")
            found = f"  {f.found}" if f.found else ""
            out.append(f"{pad}    {f.number}  {f.condition.ljust(width)}  {result}{found}")
    out.append(f"{pad}  logic: {e.logic}" if e.logic else f"{pad}  smart list: no filters: everyone qualifies")
    runs = (
        f"{e.person} has not run through it"
        if not e.runs
        else f"{e.person} ran through it {len(e.runs)} time{'s' if len(e.runs) != 1 else ''}, "
        f"last at {ast.format_datetime(e.runs[-1])}"
    )
    out.append(f"{pad}  qualification: {e.rule}; {runs}: {'may' if e.may_enter else 'may not'} run now")
    if e.tokens:
        out.append(f"{pad}  tokens:")
        for row in e.tokens:
            value = row.value if row.value is not None else "(none)"
            out.append(f"{pad}    {row.token} = {value}  ({row.origin})")
    out.append(f"{pad}  verdict: {e.verdict}")
    for call in e.calls:
        line = call.step.span.line if call.step.span else "?"
        flag = " use_parent_token_context=true" if call.use_parent else ""
        out.append("")
        out.append(f"{pad}  line {line}: execute_campaign {call.target}{flag}")
        if call.branch:
            out.append(f"{pad}    {call.branch}")
        if call.child is None:
            out.append(f"{pad}    cannot run: {call.problem}")
        else:
            _campaign_lines(call.child, out, pad + "    ")
