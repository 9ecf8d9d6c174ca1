"""Every activity type as Marketo's REST API shows it (REST.md, Activity
records), derived from its `ActivitySpec` (`ActivitySpec.rest`): Marketo's
name and id for the type, its primary attribute, and the Marketo name of
each other attribute, in the order a record lists them.

Exports and the REST API use these; transcripts and `expect activity` keep
mkc's own names (activities.py). A type that declares no REST facts keeps
its mkc name and has no primary attribute; an attribute not named keeps its
mkc name behind `mkc ` (`mkc requested`), as do mkc's own facts (`mkc Flow`).
"""

from __future__ import annotations

import attrs

from mkc.stdlib.activities import ACTIVITIES
from mkc.stdlib.activity_types import ActivitySpec


@attrs.frozen
class RestActivity:
    """An `ActivitySpec`'s REST facts with its id, and the defaults filled in."""

    mkc_name: str
    name: str  # Marketo's name
    type_id: int  # Marketo's id, or mkc's own (spec section 8)
    primary: str | None  # the mkc attribute that is the record's primary attribute
    primary_kind: str | None  # what that names: field, list, email, program, campaign, ... (None: no id)
    attributes: tuple[tuple[str, str], ...]  # (mkc attribute, Marketo name), in the record's order
    description: str


def _rest(spec: ActivitySpec) -> RestActivity:
    type_id = spec.type_id or spec.mkc_id
    if type_id is None:
        raise ValueError(f"activity type {spec.name!r} has neither a Marketo id nor an mkc id")
    facts = spec.rest
    return RestActivity(
        spec.name,
        facts.name or spec.name,
        type_id,
        facts.primary,
        facts.kind,
        facts.attributes,
        facts.description,
    )


REST_ACTIVITIES: dict[str, RestActivity] = {name: _rest(spec) for name, spec in ACTIVITIES.items()}

# mkc's own facts about every activity, as extra attributes.
MKC_ATTRIBUTES = ("mkc Flow", "mkc Via", "mkc Run")


def attribute_names(spec: RestActivity) -> list[str]:
    """Every attribute name a record of this type can carry, mkc's own last."""
    named = dict(spec.attributes)
    others = [f"mkc {a}" for a in ACTIVITIES[spec.mkc_name].attributes if a != spec.primary and a not in named]
    return [*named.values(), *others, *MKC_ATTRIBUTES]
