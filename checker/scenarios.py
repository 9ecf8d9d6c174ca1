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
naming an activity type or attribute that does not exist.
"""

from __future__ import annotations

import difflib

from mkc.checker.calls import Calls, Site, type_problem
from mkc.checker.model import CampaignInfo, Model, ref_text
from mkc.checker.report import Report
from mkc.checker.tokens import declared_value_problem
from mkc.grammar import ast
from mkc.stdlib.activities import ACTIVITIES, COMMON, activity

SCENARIO = Site(None)


def check(model: Model, report: Report) -> None:
    calls = Calls(model, report)
    for scenario in model.scenarios:
        for command in scenario.commands:
            _command(model, calls, report, command)


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
