"""Flow steps (spec section 4): one entry per step.

Each entry has the signature the checker validates against, the kinds of
campaign that may hold it, and its effect `run(ex, args)`, so adding a step is
one entry here plus its tests.

`args` maps the step's parameter names to the values written (AST values, or
a parameter's default), which the interpreter may have prepared when it
compiled the flow: an effect only hands them to `ex` to read, and checks
whether an optional one `is None`. `ex` is the interpreter's step environment
(`mkc.interpreter.flow.StepEnv`): the person (`ex.person`), the clock
(`ex.now`), `ex.value/text/field/score/resolve` to read arguments (tokens
filled in, references resolved; `this_campaign`, resolved as a campaign, is
the step's own campaign), `ex.log(type, target=..., **attributes)`,
`ex.fire(trigger, name, **data)` for trigger campaigns, `ex.fail(reason)` for
a step that cannot run, and the flow-control calls `execute`, `request`,
`remove_from_flow`, `wait_until` and `delete_person`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import attrs

from mkc.grammar import ast
from mkc.stdlib.signatures import Signature, kw, pos, sig
from mkc.stdlib.values import apply_score, as_datetime, as_number, is_empty, literal, same

ALL_KINDS = frozenset({"batch", "trigger", "executable"})


@attrs.define
class StepSpec:
    name: str
    signature: Signature
    # Kinds of campaign that may hold the step, and the diagnostic code for
    # one that may not.
    allowed_in: frozenset[str] = ALL_KINDS
    not_allowed_code: str | None = None
    summary: str = ""
    run: Callable[..., None] = lambda ex, args: None  # the effect: run(ex, args)


# ---- effects -------------------------------------------------------------------


def _change_score(ex, a) -> None:
    change = ex.score(a["change"])
    field = ex.field(a["field"])
    old = ex.person.get(field)
    base = 0 if is_empty(old) else as_number(old)  # an empty score counts as 0
    if base is None:
        ex.fail(f"{field} holds {literal(old)}, not a number")
    new = apply_score(change, base)
    ex.person.set(field, new)
    ex.log("Change Score", field=field, old=old, new=new, change=str(change))
    if new != base:
        ex.fire("score_is_changed", field, field=field, old=old, new=new)


def _change_data_value(ex, a) -> None:
    field = ex.field(a["field"])
    value = ex.value(a["value"])
    if isinstance(value, (ast.ScoreChange, ast.TimeOfDay)):
        value = str(value)
    elif isinstance(value, (tuple, ast.Duration)):
        ex.fail(f"{field} cannot hold {literal(value) if isinstance(value, tuple) else value}: give one value")
    old = ex.person.get(field)
    if same(old, value):  # not a real change: nothing is logged, no trigger fires
        return
    ex.person.set(field, value)
    ex.log("Change Data Value", field=field, old=old, new=value)
    ex.fire("data_value_changes", field, field=field, old=old, new=value)


def _change_program_status(ex, a) -> None:
    program = ex.resolve("program", a["program"])
    wanted = ex.text(a["status"])
    statuses = program.statuses
    status = wanted
    if statuses:
        folded = wanted.casefold()
        status = next((s for s in statuses if s.casefold() == folded), None)
        if status is None:
            ex.fail(f"program {program.name} has no status {literal(wanted)}")
    elif not wanted.strip():
        ex.fail(f"an empty status for program {program.name}")
    old = ex.person.status(program)
    if old is not None and same(old, status):
        return
    if statuses and old in statuses and statuses.index(status) < statuses.index(old):
        ex.log(
            "Change Program Status",
            target=program,
            program=program.name,
            old=old,
            new=old,
            requested=status,
            reason="a program status never moves backwards",
        )
        return
    ex.person.set_status(program, status)
    ex.log("Change Program Status", target=program, program=program.name, old=old, new=status)
    ex.fire("program_status_changes", program.name, program=program, old=old, new=status)


def _add_to_list(ex, a) -> None:
    static_list = ex.resolve("list", a["list"])
    if ex.person.in_list(static_list):  # already a member: no change
        return
    ex.person.add_to_list(static_list)
    ex.log("Add to List", target=static_list, list=static_list.name)
    ex.fire("added_to_list", static_list.name, list=static_list)


def _remove_from_list(ex, a) -> None:
    static_list = ex.resolve("list", a["list"])
    if not ex.person.in_list(static_list):
        return
    ex.person.remove_from_list(static_list)
    ex.log("Remove from List", target=static_list, list=static_list.name)


def _send_email(ex, a) -> None:
    email = ex.resolve("email", a["email"])
    subject = email.prop("subject")
    ex.log("Send Email", target=email, email=email.name, subject=ex.text(subject) if subject is not None else "")


def _send_alert(ex, a) -> None:
    email = ex.resolve("email", a["email"])
    ex.log("Send Alert", target=email, email=email.name, to=ex.text(a["to"]))


def _interesting_moment(ex, a) -> None:
    ex.log("Interesting Moment", type=ex.text(a["type"]), description=ex.text(a["description"]))


def _execute_campaign(ex, a) -> None:
    ex.execute(ex.resolve("campaign", a["campaign"]), use_parent=bool(ex.value(a["use_parent_token_context"])))


def _request_campaign(ex, a) -> None:
    ex.request(ex.resolve("campaign", a["campaign"]))


def _remove_from_flow(ex, a) -> None:
    ex.remove_from_flow([ex.resolve("campaign", ref) for ref in a["campaign"]])


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def wait_end(start: dt.datetime, duration: dt.timedelta, weekdays=None, at=None) -> dt.datetime:
    """When a wait that starts at `start` ends: after `duration`, then at the
    first allowed day (`weekdays`: 0 = Monday; empty or None = any) and time of
    day (`at`: an `ast.TimeOfDay`) at or after that."""
    end = start + duration
    if at is not None:
        moment = end.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
        end = moment if moment >= end else moment + dt.timedelta(days=1)
    while weekdays and end.weekday() not in weekdays:
        end += dt.timedelta(days=1)
        if at is None:  # the allowed day starts at midnight
            end = end.replace(hour=0, minute=0, second=0, microsecond=0)
    return end


def weekday_numbers(names) -> frozenset[int]:
    """`[mon, tue]` (names or strings, any case, `monday` too) as 0 = Monday ...; raises ValueError."""
    return frozenset(WEEKDAYS.index(str(name).strip().casefold()[:3]) for name in names)


def _wait(ex, a) -> None:
    if a["until"] is not None:
        end = as_datetime(ex.value(a["until"]))
        if end is None:
            ex.fail(f"wait until {literal(ex.value(a['until']))}: not a date-time")
        ex.wait_until(max(end, ex.now))
        return
    duration = ex.value(a["duration"]) if a["duration"] is not None else None
    if duration is not None and not isinstance(duration, ast.Duration):
        ex.fail(f"wait {literal(duration)}: not a duration")
    days = None
    if a["weekdays"] is not None:
        try:
            days = weekday_numbers(ex.value(a["weekdays"]))
        except ValueError:
            ex.fail(f"weekdays={literal(ex.value(a['weekdays']))}: days are mon, tue, wed, thu, fri, sat, sun")
    at = ex.value(a["at"]) if a["at"] is not None else None
    ex.wait_until(wait_end(ex.now, duration.delta if duration else dt.timedelta(0), days, at))


def _call_webhook(ex, a) -> None:
    hook = ex.resolve("webhook", a["webhook"])
    url, method, body = (hook.prop(name) for name in ("url", "method", "body"))
    request = f"{ex.text(method).upper() if method is not None else 'POST'} {ex.text(url) if url is not None else ''}"
    if body is not None:
        request += f" {ex.text(body)}"
    ex.log("Call Webhook", target=hook, webhook=hook.name, request=request)


def _delete_person(ex, a) -> None:
    ex.log("Delete Person")
    ex.delete_person()


STEPS: dict[str, StepSpec] = {
    s.name: s
    for s in [
        StepSpec(
            "change_score",
            sig(pos("change", "score"), kw("field", "field", default="lead_score")),
            summary="add to, subtract from or set a score field",
            run=_change_score,
        ),
        StepSpec(
            "change_data_value",
            sig(pos("field", "field"), pos("value", "value")),
            summary="set a person field; `null` empties it",
            run=_change_data_value,
        ),
        StepSpec(
            "change_program_status",
            sig(pos("program", "program"), pos("status", "text")),
            summary="make the person a member of a program with a status",
            run=_change_program_status,
        ),
        StepSpec("add_to_list", sig(pos("list", "list")), summary="add the person to a static list", run=_add_to_list),
        StepSpec(
            "remove_from_list",
            sig(pos("list", "list")),
            summary="remove the person from a static list",
            run=_remove_from_list,
        ),
        StepSpec(
            "send_email",
            sig(pos("email", "email")),
            summary="send an email (logs its rendered subject)",
            run=_send_email,
        ),
        StepSpec(
            "send_alert",
            sig(pos("email", "email"), kw("to", "text", required=True)),
            summary="send an alert email about the person",
            run=_send_alert,
        ),
        StepSpec(
            "interesting_moment",
            sig(pos("type", "moment_type"), pos("description", "text")),
            summary="log an interesting moment",
            run=_interesting_moment,
        ),
        StepSpec(
            "execute_campaign",
            sig(pos("campaign", "campaign"), kw("use_parent_token_context", "bool", default=False)),
            summary="run an executable campaign in series, inside this flow",
            run=_execute_campaign,
        ),
        StepSpec(
            "request_campaign",
            sig(pos("campaign", "campaign")),
            summary="queue a requestable trigger campaign, in parallel",
            run=_request_campaign,
        ),
        StepSpec(
            "remove_from_flow",
            sig(pos("campaign", "campaign", repeat=True)),
            summary="stop a campaign's flow for the person (`this_campaign` for this one)",
            run=_remove_from_flow,
        ),
        StepSpec(
            "wait",
            sig(
                pos("duration", "duration", required=False),
                kw("weekdays", "weekdays"),
                kw("at", "time"),
                kw("until", "datetime"),
            ),
            allowed_in=frozenset({"batch", "trigger"}),
            not_allowed_code="wait-in-executable",
            summary="pause the person's flow",
            run=_wait,
        ),
        StepSpec(
            "call_webhook",
            sig(pos("webhook", "webhook")),
            allowed_in=frozenset({"trigger"}),
            not_allowed_code="webhook-not-allowed",
            summary="call a webhook (logged, never sent)",
            run=_call_webhook,
        ),
        StepSpec(
            "delete_person", sig(), summary="delete the person; their activities stay in the log", run=_delete_person
        ),
        StepSpec("do_nothing", sig(), summary="nothing (for a choice branch)"),
    ]
}
