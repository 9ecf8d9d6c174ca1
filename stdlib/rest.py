"""Marketo's names for mkc's activities (REST.md, Activity records): the
activity type's name and id, its primary attribute, and the Marketo name of
each other attribute, in the order a record lists them.

Exports and the REST API use these; transcripts and `expect activity` keep
mkc's own names (activities.py). An attribute not named here keeps its mkc
name behind `mkc ` (`mkc requested`), as do mkc's own facts (`mkc Flow`).
"""

from __future__ import annotations

import attrs

from mkc.stdlib.activities import ACTIVITIES


@attrs.frozen
class RestActivity:
    name: str  # Marketo's name
    type_id: int
    primary: str | None  # the mkc attribute that is the record's primary attribute
    primary_kind: str | None  # what that names: field, list, email, program, campaign, ... (None: no id)
    attributes: tuple[tuple[str, str], ...]  # (mkc attribute, Marketo name), in the record's order
    description: str = ""


# mkc's own type ids, for the activities Marketo has no id for (LANGUAGE.md §8).
MKC_TYPE_IDS = {"Executed Campaign": 100001, "Remove from Flow": 100002, "Failed Step": 100003}


def _rest(mkc_name: str, name: str, primary=None, kind=None, attributes=(), description="") -> RestActivity:
    type_id = ACTIVITIES[mkc_name].type_id or MKC_TYPE_IDS[mkc_name]
    return RestActivity(name, type_id, primary, kind, tuple(attributes), description)


REST_ACTIVITIES: dict[str, RestActivity] = {
    "Change Score": _rest(
        "Change Score",
        "Change Score",
        "field",
        "field",
        [("change", "Change Value"), ("old", "Old Value"), ("new", "New Value")],
        "A person's score changed",
    ),
    "Change Data Value": _rest(
        "Change Data Value",
        "Change Data Value",
        "field",
        "field",
        [("old", "Old Value"), ("new", "New Value")],
        "A field's value changed",
    ),
    "Change Program Status": _rest(
        "Change Program Status",
        "Change Status in Progression",
        "program",
        "program",
        [("old", "Old Status"), ("new", "New Status"), ("reason", "Reason")],
        "A person's status in a program changed",
    ),
    "Add to List": _rest("Add to List", "Add to List", "list", "list", (), "Added to a static list"),
    "Remove from List": _rest("Remove from List", "Remove from List", "list", "list", (), "Removed from a static list"),
    "Send Email": _rest("Send Email", "Send Email", "email", "email", [("subject", "Subject")], "An email was sent"),
    "Send Alert": _rest("Send Alert", "Send Alert", "email", "email", [("to", "Send To")], "An alert was sent"),
    "Interesting Moment": _rest(
        "Interesting Moment",
        "Interesting Moment",
        "type",
        None,
        [("description", "Description")],
        "An interesting moment was logged",
    ),
    "Call Webhook": _rest(
        "Call Webhook", "Call Webhook", "webhook", "webhook", [("request", "Request")], "A webhook was called"
    ),
    "Request Campaign": _rest(
        "Request Campaign",
        "Request Campaign",
        "campaign",
        "campaign",
        [("source", "Source")],
        "A campaign was requested for the person",
    ),
    "Fill Out Form": _rest("Fill Out Form", "Fill Out Form", "form", "form", (), "A form was filled out"),
    "New Person": _rest("New Person", "New Lead", description="A person was created"),
    "Delete Person": _rest("Delete Person", "Delete Lead", description="A person was deleted"),
    "Executed Campaign": _rest(
        "Executed Campaign",
        "Executed Campaign (mkc)",
        "campaign",
        "campaign",
        [("qualified", "Qualified"), ("use_parent_token_context", "Use Parent Token Context")],
        "Execute Campaign ran an executable campaign (mkc's own)",
    ),
    "Remove from Flow": _rest(
        "Remove from Flow",
        "Remove from Flow (mkc)",
        "campaign",
        "campaign",
        (),
        "The person was removed from a campaign's flow (mkc's own)",
    ),
    "Failed Step": _rest(
        "Failed Step", "Failed Step (mkc)", "step", None, [("reason", "Reason")], "A flow step failed (mkc's own)"
    ),
}

# mkc's own facts about every activity, as extra attributes.
MKC_ATTRIBUTES = ("mkc Flow", "mkc Via", "mkc Run")


def rest_activity(mkc_name: str) -> RestActivity | None:
    return REST_ACTIVITIES.get(mkc_name)


def attribute_names(spec: RestActivity) -> list[str]:
    """Every attribute name a record of this type can carry, mkc's own last."""
    named = dict(spec.attributes)
    others = [f"mkc {a}" for a in ACTIVITIES[_mkc_name(spec)].attributes if a != spec.primary and a not in named]
    return [*named.values(), *others, *MKC_ATTRIBUTES]


def _mkc_name(spec: RestActivity) -> str:
    return next(k for k, v in REST_ACTIVITIES.items() if v is spec)
