"""Smart list triggers (spec section 3).

Each entry has its signature (for the checker), the activity that fires it,
Marketo's name for it (`trigger.trigger_name`) and `matches(env, args, event)`,
which says whether one of a campaign's triggers, with its constraints, is
satisfied by an event. `env` resolves references and values in the listening
campaign's scope (`resolve(kind, value)`, `value(value)`, `field(value)`).

Every step that logs a trigger's activity fires it (`StepSpec.fires`). An
entry also says which of the activity's attributes each of its parameters
constrains (`about`: what `mkc graph` compares with a step's arguments),
the event a logged activity of that type produced (`event`: what `mkc
explain` matches), and, where no step logs the activity, how a scenario's
`event` command makes it happen (`happens`; otherwise that command runs the
step, its arguments taken from the trigger's through `about`).

`subject(env, args)` says, before any event happens, what an event must be
about (its `name`: the changed field, the list, the program) for `matches`
to take it, or None when it may be about anything. The interpreter uses it
to build no event where no trigger could take it; it must never be narrower
than `matches` (tests/interpreter/test_compiled.py checks it).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, NoReturn, Protocol

import attrs

from mkc.stdlib.activity_types import ActivitySpec, Rest
from mkc.stdlib.signatures import Signature, kw, pos, sig
from mkc.stdlib.values import same


@attrs.frozen
class Event:
    """Something that happened to a person and may fire trigger campaigns.

    `name` is the event's primary value (`trigger.name`: the form, list,
    requested campaign or changed field; a list's or program's name); `data`
    holds what the triggers' constraints look at (field/old/new, list, form,
    program, campaign, source).
    """

    trigger: str
    person: str
    name: str
    data: dict = attrs.Factory(dict)


class Logged(Protocol):
    """A logged activity, as `TriggerSpec.event` reads it."""

    person: str
    attributes: dict
    flow: Any  # the campaign whose flow logged it; None for a scenario's command


class Happening(Protocol):
    """What `TriggerSpec.happens` does a scenario's `event` with, for its person."""

    def log(self, type_: str, **attributes) -> None: ...

    def fire(self, trigger: str, name: str, data: dict) -> None: ...

    def field(self, node) -> str: ...  # a field argument as a field name

    def get(self, field: str) -> Any: ...  # the person's value now

    def text(self, node) -> str: ...  # a written value, its tokens answered, as text

    def refuse(self, message: str) -> NoReturn: ...  # the command's error


@attrs.define
class TriggerSpec:
    name: str
    signature: Signature
    activity: str  # the activity type that fires it, as logged
    summary: str = ""
    title: str = ""  # Marketo's name for the trigger: `<<trigger.trigger_name>>`
    matches: Callable[..., bool] = lambda env, a, event: True
    subject: Callable[..., str | None] = lambda env, a: None  # what `matches` needs an event to be about
    tokens: tuple[str, ...] = ("name", "trigger_name")  # the `trigger.*` tokens its events answer (spec section 6)
    about: dict[str, str] = attrs.Factory(dict)  # parameter -> the attribute of its activity it constrains
    # event(act, target): the event's `name` and `data` for a logged activity of its type (`target`: what
    # the activity is about, resolved), or None when that activity fired nothing.
    event: Callable[[Logged, Any], tuple[str, dict] | None] = lambda act, target: None
    only_named: bool = False  # an event starts only the campaign it names (`data["campaign"]`)
    happens: Callable[[Happening, dict], None] | None = None  # happens(site, args): a scenario's `event`
    recorded: ActivitySpec | None = None  # its activity, when no step logs it (only a scenario's `event` does)

    def has_token(self, name: str) -> bool:
        return token_key(name) in {token_key(t) for t in self.tokens}


CHANGE_TOKENS = ("name", "trigger_name", "old_value", "new_value")


def produced_by(activity: str) -> tuple[str, ...]:
    """The triggers an activity of type `activity` fires, in declaration order."""
    return tuple(t.name for t in TRIGGERS.values() if t.activity == activity)


def token_key(name: str) -> str:
    """`Trigger Name`, `trigger_name` and `triggerName` are one token name."""
    return re.sub(r"[\s_]+", "", name).casefold()


def _optional(env, expected, actual) -> bool:
    return expected is None or same(actual, env.value(expected))


def _campaign_is_requested(env, a, event) -> bool:
    return a["source"] is None or env.value(a["source"]).casefold() == event.data["source"]


def _data_value_changes(env, a, event) -> bool:
    return (
        env.field(a["field"]) == event.data["field"]
        and _optional(env, a["from"], event.data["old"])
        and _optional(env, a["to"], event.data["new"])
    )


def _score_is_changed(env, a, event) -> bool:
    return a["field"] is None or env.field(a["field"]) == event.data["field"]


def _score_subject(env, a) -> str | None:
    return None if a["field"] is None else env.field(a["field"])


def _added_to_list(env, a, event) -> bool:
    return env.resolve("list", a["list"]) is event.data["list"]


def _fills_out_form(env, a, event) -> bool:
    return same(env.value(a["form"]), event.data["form"])


def _program_status_changes(env, a, event) -> bool:
    return env.resolve("program", a["program"]) is event.data["program"] and _optional(env, a["to"], event.data["new"])


def _added_to_sfdc_campaign(env, a, event) -> bool:
    return same(env.value(a["sfdc_campaign"]), event.data["sfdc_campaign"]) and _optional(
        env, a["status"], event.data["status"]
    )


# ---- the event a logged activity produced (as the step or scenario command fired it) ----


def _change_event(act: Logged, target) -> tuple[str, dict]:
    a = act.attributes
    return a["field"], {"field": a["field"], "old": a["old"], "new": a["new"]}


def _score_event(act: Logged, target) -> tuple[str, dict] | None:
    a = act.attributes
    changed = a["new"] != (a["old"] or 0) or act.flow is None  # a scenario's `event score_is_changed`
    return _change_event(act, target) if changed else None


def _list_event(act: Logged, target) -> tuple[str, dict] | None:
    return None if target is None else (target.name, {"list": target})


def _status_event(act: Logged, target) -> tuple[str, dict] | None:
    if target is None or "reason" in act.attributes:  # a status that would move backwards changes nothing
        return None
    return target.name, {**act.attributes, "program": target}


def _request_event(act: Logged, target) -> tuple[str, dict] | None:
    return None if target is None else (target.name, {"campaign": target, "source": act.attributes["source"]})


def _form_event(act: Logged, target) -> tuple[str, dict]:
    return act.attributes["form"], {"form": act.attributes["form"]}


# ---- a scenario's `event` for a trigger no step fires -------------------------------------


def _requested(site: Happening, a: dict) -> None:
    site.refuse("a campaign is requested with `request CAMPAIGN for PERSON`, not with `event`")


def _score_changed(site: Happening, a: dict) -> None:
    field = site.field(a["field"]) if a["field"] is not None else "lead_score"
    current = site.get(field)
    site.log("Change Score", field=field, old=current, new=current, change="+0")
    site.fire("score_is_changed", field, {"field": field, "old": current, "new": current})


def _form_filled(site: Happening, a: dict) -> None:
    form = site.text(a["form"])
    site.log("Fill Out Form", form=form)
    site.fire("fills_out_form", form, {"form": form})


def _person_created(site: Happening, a: dict) -> None:
    site.log("New Person")
    site.fire("person_is_created", "Person is Created", {})


TRIGGERS: dict[str, TriggerSpec] = {
    t.name: t
    for t in [
        TriggerSpec(
            "campaign_is_requested",
            sig(kw("source", "source")),
            "Request Campaign",
            "a flow step or the API requested this campaign",
            "Campaign is Requested",
            _campaign_is_requested,
            event=_request_event,
            only_named=True,
            happens=_requested,
        ),
        TriggerSpec(
            "data_value_changes",
            sig(pos("field", "field"), kw("from", "value", of="field"), kw("to", "value", of="field")),
            "Change Data Value",
            "a person field really changed",
            "Data Value Changes",
            _data_value_changes,
            lambda env, a: env.field(a["field"]),
            CHANGE_TOKENS,
            about={"field": "field", "from": "old", "to": "new"},
            event=_change_event,
        ),
        TriggerSpec(
            "score_is_changed",
            sig(kw("field", "field", numeric=True)),
            "Change Score",
            "a score changed",
            "Score is Changed",
            _score_is_changed,
            _score_subject,
            CHANGE_TOKENS,
            about={"field": "field"},
            event=_score_event,
            happens=_score_changed,
        ),
        TriggerSpec(
            "added_to_list",
            sig(pos("list", "list")),
            "Add to List",
            "the person was added to a list",
            "Added to List",
            _added_to_list,
            lambda env, a: env.resolve("list", a["list"]).name,
            about={"list": "list"},
            event=_list_event,
        ),
        TriggerSpec(
            "fills_out_form",
            sig(pos("form", "text")),
            "Fill Out Form",
            "the person filled out a form",
            "Fills Out Form",
            _fills_out_form,
            event=_form_event,
            happens=_form_filled,
            recorded=ActivitySpec(
                "Fill Out Form",
                2,
                ("form",),
                ("form",),
                ("form",),
                rest=Rest(primary="form", kind="form", description="A form was filled out"),
            ),
        ),
        TriggerSpec(
            "program_status_changes",
            sig(pos("program", "program"), kw("to", "text", of="program")),
            "Change Program Status",
            "the person's status in a program changed",
            "Program Status is Changed",
            _program_status_changes,
            lambda env, a: env.resolve("program", a["program"]).name,
            CHANGE_TOKENS,
            about={"program": "program", "to": "new"},
            event=_status_event,
        ),
        TriggerSpec(
            "person_is_created",
            sig(),
            "New Person",
            "the person was created",
            "Person is Created",
            event=lambda act, target: ("Person is Created", {}),
            happens=_person_created,
            recorded=ActivitySpec("New Person", 12, (), rest=Rest("New Lead", description="A person was created")),
        ),
        TriggerSpec(
            "added_to_sfdc_campaign",
            sig(pos("sfdc_campaign", "text"), kw("status", "text")),
            "Add to SFDC Campaign",
            "the person was added to a Salesforce campaign",
            "Added to SFDC Campaign",
            _added_to_sfdc_campaign,
            about={"sfdc_campaign": "sfdc_campaign", "status": "status"},
            event=lambda act, target: (act.attributes["sfdc_campaign"], dict(act.attributes)),
        ),
    ]
}
