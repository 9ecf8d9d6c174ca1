"""Flow steps (spec section 4): one entry per step.

Each entry has the signature the checker validates against, the kinds of
campaign that may hold it, and its effect, so adding a step is one entry here
plus its tests.

An effect comes in two stages. `compile(a)` runs once per step as written in
a flow, when the interpreter compiles the flow: it reads from `a` what the
call's arguments are (field names, references resolved, getters for values),
and returns `run(ex)`, which does the step for one person and returns when
the flow goes on after a wait (None: at once). Whatever depends only on what
is written is worked out in the first stage, once, however many people run
the step; the second stage holds the rule itself. There is no other
definition of a step: every step the interpreter runs, in a flow, a REPL
entry or a scenario's `set` and `event`, is compiled this way.

`a` (the `Args` protocol of `mkc.stdlib.effects`; the interpreter's
`StepArgs`) gives, by parameter name:
`a.field(name)` (a field name), `a.given(name)` (whether an optional
argument was written), `a.target(name)` / `a.targets(name)` (what a
reference names; a reference that names nothing fails the step, before it
does anything), and getters of run-time values, `get(tokens)`, called with
the person's token answers `ex.tokens`: `a.value(name)`, `a.text(name)` (as
text), `a.score(name)` (a score change and its text, or the step fails),
`a.text_of(node)` (an asset's property, as text). It also
prepares the step's outputs: `a.logger(type, target=None)` gives `log(ex,
attributes)`, which logs an activity about `target`; `a.firing(type, name)`
gives `fire(ex, data)`, which fires the triggers an activity of `type`
produces (`TriggerSpec.activity`) for an event about `name` (the changed
field, list or program), or None when no trigger campaign could take such
an event, so the step builds none.

`ex` (the `Frame` protocol; the interpreter's `Frame`) is where the step
runs: the person (`ex.person`), their token answers (`ex.tokens`), the clock
(`ex.now`), `ex.fail(reason)` for a step that cannot run, and the
flow-control calls `execute`, `request`, `remove_from_flow` and
`delete_person`.

Besides its effect, an entry says what the other tools need to know about
the step: the activity it logs (`logs`: its attributes, its transcript
layout, its summary in `mkc diff`), which of its parameters give which of
that activity's attributes as written (`about`: what `mkc graph` compares
with a trigger's constraints, and how a scenario's `event` runs the step),
and so which triggers it fires (`fires`, derived: those whose activity it
logs).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import attrs

from mkc.grammar import ast
from mkc.stdlib.activity_types import CHANGE, ActivitySpec, Rest
from mkc.stdlib.effects import Args, Effect
from mkc.stdlib.signatures import Signature, kw, pos, sig
from mkc.stdlib.triggers import produced_by
from mkc.stdlib.values import (
    END_OF_TIME,
    apply_score,
    as_datetime,
    as_number,
    duration_delta,
    is_empty,
    later,
    literal,
    same,
)

ALL_KINDS = frozenset({"batch", "trigger", "executable"})


def _nothing(ex) -> None:
    return None


@attrs.define
class StepSpec:
    name: str
    signature: Signature
    # Kinds of campaign that may hold the step, and the diagnostic code for
    # one that may not.
    allowed_in: frozenset[str] = ALL_KINDS
    not_allowed_code: str | None = None
    summary: str = ""
    compile: Callable[[Args], Effect] = lambda a: _nothing  # the effect: compile(a) -> run(ex)
    logs: ActivitySpec | None = None  # the activity its effect logs
    about: dict[str, str] = attrs.Factory(dict)  # parameter -> the attribute of `logs` it gives, as written
    renders: str | None = None  # the parameter naming the asset (email, webhook) whose properties it renders
    # Mistakes its signature cannot say (a combination of arguments): (message, hint) for each.
    problems: Callable[[ast.Step], list[tuple[str, str]]] = lambda step: []

    @property
    def fires(self) -> tuple[str, ...]:
        """The triggers it can fire: those its activity produces."""
        return produced_by(self.logs.name) if self.logs is not None else ()


# ---- effects -------------------------------------------------------------------


def _change_score(a):
    score, field = a.score("change"), a.field("field")
    log, fire = a.logger("Change Score"), a.firing("Change Score", field)

    def change_score(ex) -> None:
        change, shown = score(ex.tokens)
        old = ex.person.get(field)
        base = 0 if is_empty(old) else as_number(old)  # an empty score counts as 0
        if base is None:
            ex.fail(f"{field} holds {literal(old)}, not a number")
        new = apply_score(change, base)
        if new is None:
            ex.fail(f"{field} {shown}: the score would be out of range (about 1.8e308 at most)")
        ex.person.set(field, new)
        log(ex, {"field": field, "old": old, "new": new, "change": shown})
        if new != base and fire is not None:
            fire(ex, {"field": field, "old": old, "new": new})

    return change_score


_SHOWN_AS_TEXT = (ast.ScoreChange, ast.TimeOfDay)  # a field holds them as written
_NOT_ONE_VALUE = (tuple, ast.Duration)


def _change_data_value(a):
    field, value_of = a.field("field"), a.value("value")
    log, fire = a.logger("Change Data Value"), a.firing("Change Data Value", field)

    def change_data_value(ex) -> None:
        value = value_of(ex.tokens)
        if isinstance(value, _SHOWN_AS_TEXT):
            value = str(value)
        elif isinstance(value, _NOT_ONE_VALUE):
            ex.fail(f"{field} cannot hold {literal(value) if isinstance(value, tuple) else value}: give one value")
        old = ex.person.get(field)
        if same(old, value):  # not a real change: nothing is logged, no trigger fires
            return
        ex.person.set(field, value)
        log(ex, {"field": field, "old": old, "new": value})
        if fire is not None:
            fire(ex, {"field": field, "old": old, "new": value})

    return change_data_value


def _change_program_status(a):
    program, wanted_of = a.target("program"), a.text("status")
    statuses = program.statuses
    # A status's first spelling by its folded text, and its place in the
    # order (statuses.index): read once, not per person.
    spelled: dict[str, str] = {}
    place: dict[str, int] = {}
    for index, declared in enumerate(statuses or ()):
        spelled.setdefault(declared.casefold(), declared)
        place.setdefault(declared, index)
    log = a.logger("Change Program Status", target=program)
    fire = a.firing("Change Program Status", program.name)

    def change_program_status(ex) -> None:
        wanted = wanted_of(ex.tokens)
        status = wanted
        if statuses:
            status = spelled.get(wanted.casefold())
            if status is None:
                ex.fail(f"program {program.name} has no status {literal(wanted)}")
        elif not wanted.strip():
            ex.fail(f"an empty status for program {program.name}")
        old = ex.person.status(program)
        if old is not None and same(old, status):
            return
        if statuses and old in place and place[status] < place[old]:
            log(
                ex,
                {
                    "program": program.name,
                    "old": old,
                    "new": old,
                    "requested": status,
                    "reason": "a program status never moves backwards",
                },
            )
            return
        ex.person.set_status(program, status)
        log(ex, {"program": program.name, "old": old, "new": status})
        if fire is not None:
            fire(ex, {"program": program, "old": old, "new": status})

    return change_program_status


def _add_to_list(a):
    static_list = a.target("list")
    log, fire = a.logger("Add to List", target=static_list), a.firing("Add to List", static_list.name)

    def add_to_list(ex) -> None:
        if ex.person.in_list(static_list):  # already a member: no change
            return
        ex.person.add_to_list(static_list)
        log(ex, {"list": static_list.name})
        if fire is not None:
            fire(ex, {"list": static_list})

    return add_to_list


def _remove_from_list(a):
    static_list = a.target("list")
    log = a.logger("Remove from List", target=static_list)

    def remove_from_list(ex) -> None:
        if not ex.person.in_list(static_list):
            return
        ex.person.remove_from_list(static_list)
        log(ex, {"list": static_list.name})

    return remove_from_list


def _send_email(a):
    email = a.target("email")
    subject = email.prop("subject")
    subject_of = a.text_of(subject) if subject is not None else None
    log = a.logger("Send Email", target=email)

    def send_email(ex) -> None:
        log(ex, {"email": email.name, "subject": subject_of(ex.tokens) if subject_of is not None else ""})

    return send_email


def _send_alert(a):
    email, to = a.target("email"), a.text("to")
    log = a.logger("Send Alert", target=email)

    def send_alert(ex) -> None:
        log(ex, {"email": email.name, "to": to(ex.tokens)})

    return send_alert


def _interesting_moment(a):
    type_, description = a.text("type"), a.text("description")
    log = a.logger("Interesting Moment")

    def interesting_moment(ex) -> None:
        log(ex, {"type": type_(ex.tokens), "description": description(ex.tokens)})

    return interesting_moment


def _execute_campaign(a):
    campaign, use_parent = a.target("campaign"), a.value("use_parent_token_context")

    def execute_campaign(ex) -> None:
        ex.execute(campaign, use_parent=bool(use_parent(ex.tokens)))

    return execute_campaign


def _request_campaign(a):
    campaign = a.target("campaign")

    def request_campaign(ex) -> None:
        ex.request(campaign)

    return request_campaign


def _remove_from_flow(a):
    campaigns = a.targets("campaign")

    def remove_from_flow(ex) -> None:
        ex.remove_from_flow(campaigns)

    return remove_from_flow


def _sfdc_campaign(activity: str):
    """A Salesforce campaign step, logged only: mkc keeps no Salesforce
    membership, so it logs `activity` (the campaign, the status) every time
    it runs, and fires what that activity produces."""

    def compile_(a):
        campaign_of, status_of = a.text("sfdc_campaign"), a.text("status")
        log, fire = a.logger(activity), a.firing(activity, None)  # (the campaign may hold tokens)

        def sfdc_campaign(ex) -> None:
            campaign, status = campaign_of(ex.tokens), status_of(ex.tokens)
            if not campaign.strip():
                ex.fail("an empty Salesforce campaign name")
            if not status.strip():
                ex.fail(f"an empty status for Salesforce campaign {literal(campaign)}")
            log(ex, {"sfdc_campaign": campaign, "status": status})
            if fire is not None:
                fire(ex, {"sfdc_campaign": campaign, "status": status}, campaign)

        return sfdc_campaign

    return compile_


def _sfdc_step(name: str, activity: str, summary: str, mkc_id: int, status: str, description: str) -> StepSpec:
    """A Salesforce campaign step: the campaign and a status, its activity
    (`status` is Marketo's name for the status attribute) logged every time."""
    return StepSpec(
        name,
        sig(pos("sfdc_campaign", "text"), kw("status", "text", required=True)),
        summary=summary,
        compile=_sfdc_campaign(activity),
        logs=ActivitySpec(
            activity,
            None,
            ("sfdc_campaign", "status"),
            ("sfdc_campaign", "status="),
            ("sfdc_campaign", "status"),
            mkc_id=mkc_id,
            rest=Rest(activity, "sfdc_campaign", None, (("status", status),), description),
        ),
        about={"sfdc_campaign": "sfdc_campaign", "status": "status"},
    )


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def wait_end(start: dt.datetime, duration: dt.timedelta | None, weekdays=None, at=None) -> dt.datetime | None:
    """When a wait that starts at `start` ends: after `duration`, then at the
    first allowed day (`weekdays`: 0 = Monday; empty or None = any) and time of
    day (`at`: an `ast.TimeOfDay`) at or after that. None when that is past
    the end of the clock (year 9999), or `duration` is None (too long for it)."""
    end = later(start, duration)
    if end is not None and at is not None:
        moment = end.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
        end = moment if moment >= end else later(moment, _DAY)
    while end is not None and weekdays and end.weekday() not in weekdays:
        end = later(end, _DAY)
        if end is not None and at is None:  # the allowed day starts at midnight
            end = end.replace(hour=0, minute=0, second=0, microsecond=0)
    return end


_DAY = dt.timedelta(days=1)


def weekday_numbers(names) -> frozenset[int]:
    """`[mon, tue]` (names or strings, any case, `monday` too) as 0 = Monday ...; raises ValueError."""
    return frozenset(WEEKDAYS.index(str(name).strip().casefold()[:3]) for name in names)


def _wait(a):
    if a.given("until"):
        until = a.value("until")

        def wait_until(ex) -> dt.datetime:
            value = until(ex.tokens)
            end = as_datetime(value)
            if end is None:
                ex.fail(f"wait until {literal(value)}: not a date-time")
            return max(end, ex.now)

        return wait_until
    duration_of = a.value("duration") if a.given("duration") else None
    weekdays_of = a.value("weekdays") if a.given("weekdays") else None
    at_of = a.value("at") if a.given("at") else None

    def wait(ex) -> dt.datetime:
        duration = duration_of(ex.tokens) if duration_of is not None else None
        if duration is not None and not isinstance(duration, ast.Duration):
            ex.fail(f"wait {literal(duration)}: not a duration")
        days = None
        if weekdays_of is not None:
            weekdays = weekdays_of(ex.tokens)
            try:
                days = weekday_numbers(weekdays)
            except ValueError:
                ex.fail(f"weekdays={literal(weekdays)}: days are mon, tue, wed, thu, fri, sat, sun")
        at = at_of(ex.tokens) if at_of is not None else None
        end = wait_end(ex.now, duration_delta(duration) if duration else dt.timedelta(0), days, at)
        if end is None:
            ex.fail(f"this wait would end after {ast.format_datetime(END_OF_TIME)}, the end of the clock")
        return max(end, ex.now)

    return wait


def _call_webhook(a):
    hook = a.target("webhook")
    url, method, body = (hook.prop(name) for name in ("url", "method", "body"))
    url_of, method_of, body_of = (a.text_of(node) if node is not None else None for node in (url, method, body))
    log = a.logger("Call Webhook", target=hook)

    def call_webhook(ex) -> None:
        tokens = ex.tokens
        method = method_of(tokens).upper() if method_of is not None else "POST"
        request = f"{method} {url_of(tokens) if url_of is not None else ''}"
        if body_of is not None:
            request += f" {body_of(tokens)}"
        log(ex, {"webhook": hook.name, "request": request})

    return call_webhook


def _delete_person(a):
    log = a.logger("Delete Person")

    def delete_person(ex) -> None:
        log(ex, {})
        ex.delete_person()

    return delete_person


def _wait_problems(step: ast.Step) -> list[tuple[str, str]]:
    has_duration = bool(step.args)
    has_until = any(k.name == "until" for k in step.kwargs)
    example = "write `wait 3 days` or `wait until=2026-01-05T09:00`"
    problems = []
    if has_duration and has_until:
        problems.append(("`wait` takes a duration or `until=`, not both", example))
    elif not has_duration and not has_until:
        problems.append(("`wait` needs a duration or `until=`", example))
    if has_until and any(k.name in ("weekdays", "at") for k in step.kwargs):
        problems.append(
            (
                "`weekdays=` and `at=` go with a duration, not with `until=`",
                "write `wait 1 day weekdays=[mon, tue, wed, thu, fri] at=09:00`",
            )
        )
    return problems


def _score_label(a: dict) -> str:
    field = a.get("field")
    return f"Change Score {a.get('change')}" + ("" if field == "lead_score" else f" on {field}")


STEPS: dict[str, StepSpec] = {
    s.name: s
    for s in [
        StepSpec(
            "change_score",
            sig(pos("change", "score"), kw("field", "field", default="lead_score", numeric=True)),
            summary="add to, subtract from or set a score field",
            compile=_change_score,
            logs=ActivitySpec(
                "Change Score",
                22,
                ("field", "old", "new", "change"),
                ("field", CHANGE, "change="),
                ("field", "new", "change"),
                _score_label,
                rest=Rest(
                    primary="field",
                    kind="field",
                    attributes=(("change", "Change Value"), ("old", "Old Value"), ("new", "New Value")),
                    description="A person's score changed",
                ),
            ),
            about={"field": "field"},
        ),
        StepSpec(
            "change_data_value",
            sig(pos("field", "field"), pos("value", "value", of="field")),
            summary="set a person field; `null` empties it",
            compile=_change_data_value,
            logs=ActivitySpec(
                "Change Data Value",
                13,
                ("field", "old", "new"),
                ("field", CHANGE),
                ("field", "new"),
                rest=Rest(
                    primary="field",
                    kind="field",
                    attributes=(("old", "Old Value"), ("new", "New Value")),
                    description="A field's value changed",
                ),
            ),
            about={"field": "field", "value": "new"},
        ),
        StepSpec(
            "change_program_status",
            sig(pos("program", "program"), pos("status", "text", of="program")),
            summary="make the person a member of a program with a status",
            compile=_change_program_status,
            logs=ActivitySpec(
                "Change Program Status",
                104,
                ("program", "old", "new", "requested", "reason"),
                ("program", CHANGE, "requested=", "reason="),
                ("program", "new"),
                rest=Rest(
                    "Change Status in Progression",
                    "program",
                    "program",
                    (("old", "Old Status"), ("new", "New Status"), ("reason", "Reason")),
                    "A person's status in a program changed",
                ),
            ),
            about={"program": "program", "status": "new"},
        ),
        StepSpec(
            "add_to_list",
            sig(pos("list", "list")),
            summary="add the person to a static list",
            compile=_add_to_list,
            logs=ActivitySpec(
                "Add to List",
                24,
                ("list",),
                ("list",),
                ("list",),
                rest=Rest(primary="list", kind="list", description="Added to a static list"),
            ),
            about={"list": "list"},
        ),
        StepSpec(
            "remove_from_list",
            sig(pos("list", "list")),
            summary="remove the person from a static list",
            compile=_remove_from_list,
            logs=ActivitySpec(
                "Remove from List",
                25,
                ("list",),
                ("list",),
                ("list",),
                rest=Rest(primary="list", kind="list", description="Removed from a static list"),
            ),
            about={"list": "list"},
        ),
        StepSpec(
            "send_email",
            sig(pos("email", "email")),
            summary="send an email (logs its rendered subject)",
            compile=_send_email,
            logs=ActivitySpec(
                "Send Email",
                6,
                ("email", "subject"),
                ("email", "subject="),
                ("email",),
                rest=Rest(None, "email", "email", (("subject", "Subject"),), "An email was sent"),
            ),
            about={"email": "email"},
            renders="email",
        ),
        StepSpec(
            "send_alert",
            sig(pos("email", "email"), kw("to", "text", required=True)),
            summary="send an alert email about the person",
            compile=_send_alert,
            logs=ActivitySpec(
                "Send Alert",
                38,
                ("email", "to"),
                ("email", "to="),
                ("email",),
                rest=Rest(None, "email", "email", (("to", "Send To"),), "An alert was sent"),
            ),
            about={"email": "email", "to": "to"},
            renders="email",
        ),
        StepSpec(
            "interesting_moment",
            sig(pos("type", "moment_type"), pos("description", "text")),
            summary="log an interesting moment",
            compile=_interesting_moment,
            logs=ActivitySpec(
                "Interesting Moment",
                46,
                ("type", "description"),
                ("type", "description="),
                ("type", "description"),
                rest=Rest(None, "type", None, (("description", "Description"),), "An interesting moment was logged"),
            ),
            about={"type": "type", "description": "description"},
        ),
        StepSpec(
            "execute_campaign",
            sig(pos("campaign", "campaign"), kw("use_parent_token_context", "bool", default=False)),
            summary="run an executable campaign in series, inside this flow",
            compile=_execute_campaign,
        ),
        StepSpec(
            "request_campaign",
            sig(pos("campaign", "campaign")),
            summary="queue a requestable trigger campaign, in parallel",
            compile=_request_campaign,
        ),
        StepSpec(
            "remove_from_flow",
            sig(pos("campaign", "campaign", repeat=True, this_campaign=True)),
            summary="stop a campaign's flow for the person (`this_campaign` for this one)",
            compile=_remove_from_flow,
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
            compile=_wait,
            problems=_wait_problems,
        ),
        StepSpec(
            "call_webhook",
            sig(pos("webhook", "webhook")),
            allowed_in=frozenset({"trigger"}),
            not_allowed_code="webhook-not-allowed",
            summary="call a webhook (logged, never sent)",
            compile=_call_webhook,
            logs=ActivitySpec(
                "Call Webhook",
                110,
                ("webhook", "request"),
                ("webhook", "request="),
                ("webhook",),
                rest=Rest(None, "webhook", "webhook", (("request", "Request"),), "A webhook was called"),
            ),
            about={"webhook": "webhook"},
            renders="webhook",
        ),
        StepSpec(
            "delete_person",
            sig(),
            summary="delete the person; their activities stay in the log",
            compile=_delete_person,
            logs=ActivitySpec("Delete Person", 37, (), rest=Rest("Delete Lead", description="A person was deleted")),
        ),
        StepSpec("do_nothing", sig(), summary="nothing (for a choice branch)"),
        _sfdc_step(
            "add_to_sfdc_campaign",
            "Add to SFDC Campaign",
            "add the person to a Salesforce campaign with a member status (logged only)",
            100004,
            "Status",
            "The person was added to a Salesforce campaign",
        ),
        _sfdc_step(
            "change_status_in_sfdc_campaign",
            "Change Status in SFDC Campaign",
            "set the person's member status in a Salesforce campaign (logged only)",
            100005,
            "New Status",
            "The person's status in a Salesforce campaign changed",
        ),
    ]
}
