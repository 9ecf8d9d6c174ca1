"""Flows and the campaign kinds: what each kind of campaign may hold.

Codes: wait-in-executable and webhook-not-allowed (from each step's
`allowed_in` in the standard library), trigger-in-executable, kind-mismatch
and executable-not-callable for a `schedule` block, choice-mixed-actions,
too-many-choices, and bad-argument for the shape of choices, schedules and
qualification rules (a duration longer than the clock's range among them).
"""

from __future__ import annotations

from mkc.checker.model import KIND_WORDS, CampaignInfo, Model
from mkc.checker.report import Report
from mkc.grammar import ast, walk
from mkc.stdlib import STEPS

MAX_WHENS = 20
MAX_YEARS = 10_000  # a duration longer than this cannot fit the clock, which ends with year 9999
_MAX_MINUTES = MAX_YEARS * 366 * 24 * 60


def check(model: Model, report: Report) -> None:
    for c in model.campaigns:
        _steps_allowed(c, report)
        _choices(c, report)
        _triggers(c, report)
        _schedule(c, report)
        _active(c, report)
        _qualification(c, report)


def _steps_allowed(c: CampaignInfo, report: Report) -> None:
    for step in walk.steps(c.steps):
        spec = STEPS.get(step.name)
        if spec is None or c.kind in spec.allowed_in:
            continue
        if spec.not_allowed_code == "wait-in-executable":
            report.error(
                "wait-in-executable",
                f"executable campaign {c.name} cannot `wait`: it runs in series "
                "inside its caller's flow, and Marketo does not allow waits there",
                step.span,
                "move the wait into the calling campaign, or make this a trigger campaign with "
                "`trigger campaign_is_requested` and call it with `request_campaign`",
                owner=c,
            )
        elif spec.not_allowed_code == "webhook-not-allowed":
            report.error(
                "webhook-not-allowed",
                f"`call_webhook` runs only in trigger campaigns, and {c.name} is {KIND_WORDS[c.kind]}",
                step.span,
                "call the webhook from a trigger campaign: give one `trigger campaign_is_requested` and "
                "call it here with `request_campaign`",
                owner=c,
            )
        else:
            report.error(
                spec.not_allowed_code or "bad-argument",
                f"`{step.name}` is not allowed in {KIND_WORDS[c.kind]}",
                step.span,
                owner=c,
            )


def _choices(c: CampaignInfo, report: Report) -> None:
    for choice in walk.choices(c.steps):
        if len(choice.whens) > MAX_WHENS:
            extra = choice.whens[MAX_WHENS]
            report.error(
                "too-many-choices",
                f"a choice holds at most {MAX_WHENS} `when`s; this one has {len(choice.whens)}",
                extra.span,
                "split it into two steps, the second with the remaining `when`s",
                owner=c,
            )
        branches = walk.branches(choice)
        action = None
        for branch in branches:
            if isinstance(branch, ast.Choice):
                report.error(
                    "bad-argument",
                    "a choice branch holds one step, not another choice",
                    branch.span,
                    "join the conditions with `and` in one choice instead",
                    owner=c,
                )
                continue
            if branch.name == "do_nothing":
                continue
            if action is None:
                action = branch
            elif branch.name != action.name:
                report.error(
                    "choice-mixed-actions",
                    f"every branch of a choice runs the same step: the first runs "
                    f"`{action.name}` (line {action.span.line}), this one `{branch.name}`",
                    branch.span,
                    f"use `{action.name}` or `do_nothing` here, or make a separate choice step for `{branch.name}`",
                    owner=c,
                )


def _triggers(c: CampaignInfo, report: Report) -> None:
    if c.kind != "executable":
        return
    for trigger in c.triggers:
        report.error(
            "trigger-in-executable",
            f"executable campaign {c.name} cannot have a trigger: executables run "
            "only when another campaign executes them",
            trigger.span,
            "use filters to decide who runs, or drop `executable` to make this a trigger campaign",
            owner=c,
        )


def _active(c: CampaignInfo, report: Report) -> None:
    """Only a trigger campaign is activated; written on another kind, `active`
    would look like it switches the campaign off, and does nothing."""
    if c.node.active is None or c.kind == "trigger":
        return
    runs = (
        "it runs only when another campaign executes it"
        if c.kind == "executable"
        else "it runs when it is run or scheduled"
    )
    report.error(
        "kind-mismatch",
        f"`active` is for trigger campaigns, and {c.name} is {KIND_WORDS[c.kind]}: {runs}",
        c.node.active_span or c.span,
        "remove `active`" + ("" if c.kind == "executable" else ", or give the campaign a trigger"),
        owner=c,
    )


def _schedule(c: CampaignInfo, report: Report) -> None:
    schedule = c.schedule
    if schedule is None:
        return
    if c.kind == "trigger":
        report.error(
            "kind-mismatch",
            f"`schedule` is for batch campaigns, and {c.name} is a trigger campaign (its "
            "smart list has triggers): it runs when its triggers fire",
            schedule.span,
            "remove the schedule, or remove the triggers to make a batch campaign",
            owner=c,
        )
    elif c.kind == "executable":
        report.error(
            "executable-not-callable",
            f"executable campaign {c.name} cannot be scheduled: executables "
            "run only when another campaign executes them",
            schedule.span,
            "schedule a batch campaign that does `execute_campaign " + c.name + "`",
            owner=c,
        )
    if schedule.every is not None and schedule.every.amount <= 0:
        report.error(
            "bad-argument",
            f"a schedule repeats every positive duration, not every {schedule.every}",
            schedule.every.span,
            owner=c,
        )
    if schedule.every is not None:
        _fits(schedule.every, "a schedule's `every`", c, report)
    if schedule.until is not None and schedule.until.value < schedule.at.value:
        report.error(
            "bad-argument",
            f"this schedule ends ({schedule.until}) before it starts ({schedule.at})",
            schedule.until.span,
            owner=c,
        )


def _qualification(c: CampaignInfo, report: Report) -> None:
    q = c.node.qualification
    if q is not None and q.period is not None and q.period.amount <= 0:
        report.error("bad-argument", f"`once_every` needs a positive duration, not {q.period}", q.period.span, owner=c)
    elif q is not None and q.period is not None:
        _fits(q.period, "`once_every`", c, report)


def _fits(duration: ast.Duration, what: str, c: CampaignInfo, report: Report) -> None:
    """A written duration longer than MAX_YEARS is a mistake: no clock reaches its end."""
    if duration.amount * ast.UNIT_MINUTES[duration.unit] > _MAX_MINUTES:
        report.error(
            "bad-argument",
            f"{what} of {duration} is longer than {MAX_YEARS:,} years: the clock ends with year 9999",
            duration.span,
            owner=c,
        )
