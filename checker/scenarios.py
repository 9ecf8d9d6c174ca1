"""Scenarios (spec section 7): the people they name and the campaigns they
start. A scenario stands outside every workspace, so its references resolve
with `Model.resolve_global`.

Codes: unknown-person; unknown-reference / ambiguous-reference;
executable-not-callable (`run`, `schedule`, `request`, `activate` or
`deactivate` of an executable); not-requestable (`request` of a campaign
without a `campaign_is_requested` trigger that admits the API);
kind-mismatch (`run` or `schedule` of a trigger campaign, `activate` or
`deactivate` of a batch campaign); unknown-trigger, unknown-condition and
bad-argument for `event`, `expect` and `set`, and for an `expect activity`
naming an activity type or attribute that does not exist; undefined-token
for a token in a scenario command that the interpreter cannot answer there.

A scenario command runs outside every campaign: its tokens (in `event`,
`set`, `expect` and `expect activity` values, and in the My Tokens those
hold) are answered by the person (`lead.*`), the clock (`system.*`) and the
My Tokens declared at the root, nothing else. The values of a `request` or
`schedule`'s `tokens < >` are answered later, in the campaign it starts.
"""

from __future__ import annotations

import difflib

from mkc.checker.bound import Chain
from mkc.checker.calls import Calls, Site, type_problem
from mkc.checker.model import CampaignInfo, Model, ref_text
from mkc.checker.report import Report
from mkc.checker.tokens import MyValues, Use, context_free_problem, declared_value_problem, tokens_in
from mkc.grammar import ast, walk
from mkc.stdlib import CONDITIONS, TRIGGERS
from mkc.stdlib.activities import ACTIVITIES, COMMON, activity
from mkc.stdlib.signatures import REFERENCE_TYPES

SCENARIO = Site(None)


def check(model: Model, report: Report) -> None:
    calls = Calls(model, report)
    values = MyValues(model, report)
    for scenario in model.scenarios:
        for command in scenario.commands:
            _command(model, calls, report, command)
            _command_tokens(model, values, report, command)


def _command(model: Model, calls: Calls, report: Report, cmd) -> None:
    if isinstance(cmd, ast.Run):
        _people(model, report, cmd.people or (), cmd)
        c = _campaign(calls, cmd.campaign)
        if c is not None:
            _startable(report, c, cmd.campaign, "run")
    elif isinstance(cmd, ast.ScheduleRun):
        c = _campaign(calls, cmd.campaign)
        if c is not None:
            _startable(report, c, cmd.campaign, "schedule")
        _api_tokens(report, cmd.tokens)
    elif isinstance(cmd, ast.Request):
        _people(model, report, cmd.people, cmd)
        c = _campaign(calls, cmd.campaign)
        if c is not None:
            _requestable(report, c, cmd.campaign)
        _api_tokens(report, cmd.tokens)
    elif isinstance(cmd, (ast.Activate, ast.Deactivate)):
        word = "activate" if isinstance(cmd, ast.Activate) else "deactivate"
        c = _campaign(calls, cmd.campaign)
        if c is not None and c.kind == "executable":
            report.error(
                "executable-not-callable",
                f"{c.full_name} is an executable campaign: it has no triggers "
                f"to {word}, and it runs only when another campaign executes it",
                cmd.campaign.span,
            )
        elif c is not None and c.kind == "batch":
            report.error(
                "kind-mismatch",
                f"only trigger campaigns can be activated or deactivated, and {c.full_name} is a batch campaign",
                cmd.campaign.span,
                f"start it with `run {ref_text(cmd.campaign)}` or `schedule {ref_text(cmd.campaign)} at …`",
            )
    elif isinstance(cmd, ast.Event):
        _people(model, report, (cmd.person,), cmd)
        calls.trigger(ast.Trigger(cmd.trigger, cmd.args, cmd.kwargs, span=cmd.span), SCENARIO)
    elif isinstance(cmd, ast.Set):
        _people(model, report, (cmd.person,), cmd)
        value = cmd.value
        if not (isinstance(value, ast.ScoreChange) and value.op == "="):
            problem = type_problem("value", value, f"set {cmd.person} {cmd.field}")
            if problem:
                report.error("bad-argument", problem[0], value.span, *([problem[1]] if problem[1] else []))
    elif isinstance(cmd, ast.Expect):
        _people(model, report, (cmd.person,), cmd)
        calls.condition(cmd.cond, SCENARIO)
    elif isinstance(cmd, ast.ExpectActivity):
        _people(model, report, (cmd.person,), cmd)
        _expected_activity(report, cmd)


# ---- tokens --------------------------------------------------------------------------

NAMES = REFERENCE_TYPES | {"field"}  # parameters that name something: never rendered


def _command_tokens(model: Model, values: MyValues, report: Report, cmd) -> None:
    if isinstance(cmd, (ast.Request, ast.ScheduleRun)):
        _api_token_values(model, report, cmd)
        return
    uses = [use for value in _rendered(cmd) for use in tokens_in(value)]
    for use in [*uses, *values.nested(Chain(), uses)]:  # (the root's tokens alone)
        problem = scenario_problem(model, use)
        if problem is not None:
            report.error("undefined-token", problem[0], use.span, problem[1])


def _rendered(cmd) -> list:
    """The values of a scenario command whose tokens the interpreter answers."""
    if isinstance(cmd, ast.Set):
        return [cmd.value]
    if isinstance(cmd, ast.ExpectActivity):
        return [k.value for k in cmd.kwargs if k.name != "count"]
    if isinstance(cmd, ast.Event):
        return _call_values(TRIGGERS.get(cmd.trigger), cmd)
    if isinstance(cmd, ast.Expect):
        out = []
        for atom in walk.atoms(cmd.cond):
            out += atom.operands if isinstance(atom, ast.FieldCond) else _call_values(CONDITIONS.get(atom.name), atom)
        return out
    return []


def _call_values(spec, call) -> list:
    """A trigger's or condition's values, except those naming a field or an asset."""
    if spec is None:
        return []  # reported as unknown
    types = {p.name: p.type for p in spec.signature.params}
    values = []
    for name, value in spec.signature.bind(call.args, call.kwargs).items():
        if types.get(name) not in NAMES:
            values += value if isinstance(value, tuple) else [value]
    return values


_CAMPAIGN_SCOPES = {
    "campaign": "the campaign that runs",
    "program": "the program of the campaign that runs",
    "member": "the person's membership in the program of the campaign that runs",
    "trigger": "the event that fired the campaign that runs",
}
_SCENARIO_HINT = "in a scenario only `lead.*`, `system.*` and My Tokens declared at the root answer; write the value"


def scenario_problem(model: Model, use: Use) -> tuple[str, str | None] | None:
    """Why a token in a scenario command (or in a My Token it uses) cannot be answered, or None."""
    problem = context_free_problem(use)
    if problem is not None or use.scope in ("lead", "system"):
        return problem
    if use.scope == "my":
        if use.name in model.root.tokens:
            return None
        elsewhere = sorted({s.label for s in model.all_scopes if use.name in s.tokens})
        declared = f"it is declared in {', '.join(elsewhere)}" if elsewhere else "no scope declares it"
        return (
            f"`{use.text}` cannot be answered in a scenario, which stands outside every workspace and program: "
            f"{declared}, not at the root",
            f"declare it at the root (`tokens < my.{use.name} = … >` outside every workspace), or write the value",
        )
    return (
        f"`{use.text}` describes {_CAMPAIGN_SCOPES[use.scope]}, and a scenario runs outside every campaign",
        _SCENARIO_HINT,
    )


def _api_token_values(model: Model, report: Report, cmd) -> None:
    """Tokens in `tokens < my.x = "…" >` are answered in the started campaign's
    context: report those no context can answer."""
    if cmd.tokens is None:
        return
    given = {d.name for d in cmd.tokens.decls}
    for decl in cmd.tokens.decls:
        for use in tokens_in(decl.value):
            problem = context_free_problem(use)
            if problem is None and use.scope == "trigger" and isinstance(cmd, ast.ScheduleRun):
                problem = (
                    f"`{use.text}` describes the event that fired a trigger campaign, and `schedule` starts a "
                    "batch campaign",
                    "use a `lead.*` token, or write the value",
                )
            elif problem is None and use.scope == "my" and not _declared(model, use.name, given):
                problem = (f"`{use.text}`: no scope declares `my.{use.name}`, and these tokens do not give it", None)
            if problem is not None:
                report.error("undefined-token", problem[0], use.span, *([problem[1]] if problem[1] else []))


def _declared(model: Model, name: str, given: set[str]) -> bool:
    return name in given or any(name in s.tokens for s in model.all_scopes)


def _expected_activity(report: Report, cmd: ast.ExpectActivity) -> None:
    """A misspelt activity type or attribute never matches: `expect activity`
    would always fail and `expect no activity` always pass."""
    spec = activity(cmd.activity)
    if spec is None:
        close = difflib.get_close_matches(cmd.activity, list(ACTIVITIES), n=1, cutoff=0.6)
        hint = f'did you mean "{close[0]}"?' if close else "the activity types are: " + ", ".join(ACTIVITIES)
        report.error("bad-argument", f'no activity is called "{cmd.activity}"', cmd.span, hint)
        return
    known = (*spec.attributes, *COMMON, "count")
    for k in cmd.kwargs:
        if k.name in known:
            continue
        close = difflib.get_close_matches(k.name, known, n=1)
        listed = ", ".join(spec.attributes) or "none"
        hint = f"did you mean `{close[0]}`?" if close else f"its attributes: {listed}; and flow, via, time, count"
        report.error("bad-argument", f"{spec.name} has no attribute `{k.name}`", k.span or cmd.span, hint)


def _campaign(calls: Calls, ref) -> CampaignInfo | None:
    return calls.reference("campaign", ref, "scenario", SCENARIO)


def _startable(report: Report, c: CampaignInfo, ref, word: str) -> None:
    name = ref_text(ref)
    if c.kind == "executable":
        report.error(
            "executable-not-callable",
            f"{c.full_name} is an executable campaign: it cannot be {word}"
            f"{'' if word == 'run' else 'd'} directly, only executed by another campaign's flow",
            ref.span,
            f"{word} a batch campaign that does `execute_campaign {name}`",
        )
    elif c.kind == "trigger":
        how = "request it" if c.requestable_by("api") else "fire its trigger with `event`"
        report.error(
            "kind-mismatch",
            f"`{word}` is for batch campaigns, and {c.full_name} is a trigger campaign: it runs when its triggers fire",
            ref.span,
            f"{how} instead",
        )


def _requestable(report: Report, c: CampaignInfo, ref) -> None:
    name = ref_text(ref)
    if c.kind == "executable":
        report.error(
            "executable-not-callable",
            f"{c.full_name} is an executable campaign: it cannot be requested, "
            "only executed by another campaign's flow",
            ref.span,
            f"request a trigger campaign that does `execute_campaign {name}`",
        )
    elif not c.requestable_by("api"):
        if any(t.name == "campaign_is_requested" for t in c.triggers):
            why, hint = (
                'its `campaign_is_requested` trigger admits only source="flow_action"',
                'drop `source="flow_action"` from its trigger, or write source="api"',
            )
        elif c.kind == "batch":
            why, hint = (
                "it is a batch campaign",
                f"start it with `run {name}`, or give it `trigger campaign_is_requested`",
            )
        else:
            why, hint = "it has no `campaign_is_requested` trigger", "add `trigger campaign_is_requested` to it"
        report.error("not-requestable", f"{c.full_name} cannot be requested through the API: {why}", ref.span, hint)


def _people(model: Model, report: Report, handles, cmd) -> None:
    declared = [p.handle for p in model.people]
    for handle in handles:
        if model.person(handle) is not None:
            continue
        close = difflib.get_close_matches(handle, declared, n=1)
        if isinstance(cmd, ast.Expect) and handle == "not":
            hint = 'the person comes first: write `expect ann not member_of_list "L"`'
        elif close:
            hint = f"did you mean `{close[0]}`?"
        else:
            hint = f'declare them in `people`: `person {handle} < email "…" >`'
        report.error("unknown-person", f"no person `{handle}` is declared", cmd.span, hint)


def _api_tokens(report: Report, tokens: ast.Tokens | None) -> None:
    if tokens is None:
        return
    for decl in tokens.decls:
        if decl.scope != "my":
            report.error(
                "bad-argument",
                f"the API overrides only My Tokens: write `my.{decl.name}`, not `{decl.scope}.{decl.name}`",
                decl.span,
            )
            continue
        problem = declared_value_problem(decl.value)
        if problem:
            report.error("bad-argument", problem, decl.value.span)
