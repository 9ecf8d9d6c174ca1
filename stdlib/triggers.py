"""Smart list triggers (spec section 3).

Each entry has its signature (for the checker), the activity that fires it,
Marketo's name for it (`trigger.trigger_name`) and `matches(env, args, event)`,
which says whether one of a campaign's triggers, with its constraints, is
satisfied by an event. `env` resolves references and values in the listening
campaign's scope (`resolve(kind, value)`, `value(value)`, `field(value)`).

`subject(env, args)` says, before any event happens, what an event must be
about (its `name`: the changed field, the list, the program) for `matches`
to take it, or None when it may be about anything. The interpreter uses it
to build no event where no trigger could take it; it must never be narrower
than `matches` (tests/interpreter/test_compiled.py checks it).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import attrs

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

    def has_token(self, name: str) -> bool:
        return token_key(name) in {token_key(t) for t in self.tokens}


CHANGE_TOKENS = ("name", "trigger_name", "old_value", "new_value")


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
        ),
        TriggerSpec(
            "data_value_changes",
            sig(pos("field", "field"), kw("from", "value"), kw("to", "value")),
            "Change Data Value",
            "a person field really changed",
            "Data Value Changes",
            _data_value_changes,
            lambda env, a: env.field(a["field"]),
            CHANGE_TOKENS,
        ),
        TriggerSpec(
            "score_is_changed",
            sig(kw("field", "field")),
            "Change Score",
            "a score changed",
            "Score is Changed",
            _score_is_changed,
            _score_subject,
            CHANGE_TOKENS,
        ),
        TriggerSpec(
            "added_to_list",
            sig(pos("list", "list")),
            "Add to List",
            "the person was added to a list",
            "Added to List",
            _added_to_list,
            lambda env, a: env.resolve("list", a["list"]).name,
        ),
        TriggerSpec(
            "fills_out_form",
            sig(pos("form", "text")),
            "Fill Out Form",
            "the person filled out a form",
            "Fills Out Form",
            _fills_out_form,
        ),
        TriggerSpec(
            "program_status_changes",
            sig(pos("program", "program"), kw("to", "text")),
            "Change Program Status",
            "the person's status in a program changed",
            "Program Status is Changed",
            _program_status_changes,
            lambda env, a: env.resolve("program", a["program"]).name,
            CHANGE_TOKENS,
        ),
        TriggerSpec("person_is_created", sig(), "New Person", "the person was created", "Person is Created"),
    ]
}
