"""Person fields (spec section 2, Fields): Marketo's standard fields and the
types a field can have.

One table for every tool that names a field: the checker (unknown fields,
values of the wrong type), and the importer and the REST API, which speak
Marketo's export headers (`label`) and REST names (`rest`).
"""

from __future__ import annotations

import difflib
import re

import attrs

TYPES = ("text", "number", "date", "boolean")


@attrs.frozen
class FieldSpec:
    name: str
    type: str  # one of TYPES
    label: str | None = None  # the name Marketo shows and exports
    rest: str | None = None  # the name in Marketo's REST API
    aliases: tuple[str, ...] = ()  # other names Marketo's UI has used


def _standard(rows) -> dict[str, FieldSpec]:
    return {row[0]: FieldSpec(*row) for row in rows}


STANDARD_FIELDS: dict[str, FieldSpec] = _standard(
    [
        ("email", "text", "Email Address", "email"),
        ("first_name", "text", "First Name", "firstName"),
        ("last_name", "text", "Last Name", "lastName"),
        ("salutation", "text", "Salutation", "salutation"),
        ("job_title", "text", "Job Title", "title"),
        ("company", "text", "Company Name", "company"),
        ("industry", "text", "Industry", "industry"),
        ("website", "text", "Website", "website"),
        ("phone", "text", "Phone Number", "phone"),
        ("mobile_phone", "text", "Mobile Phone Number", "mobilePhone"),
        ("address", "text", "Address", "address"),
        ("city", "text", "City", "city"),
        ("state", "text", "State", "state"),
        ("postal_code", "text", "Postal Code", "postalCode"),
        ("country", "text", "Country", "country"),
        ("lead_source", "text", "Lead Source", "leadSource", ("Person Source",)),
        ("lead_status", "text", "Lead Status", "leadStatus", ("Person Status",)),
        ("lead_role", "text", "Lead Role", "leadRole", ("Person Role",)),
        ("rating", "text", "Lead Rating", "rating", ("Person Rating",)),
        ("lead_score", "number", "Lead Score", "leadScore", ("Person Score",)),
        ("number_of_employees", "number", "Num Employees", "numberOfEmployees"),
        ("annual_revenue", "number", "Annual Revenue", "annualRevenue"),
        ("unsubscribed", "boolean", "Unsubscribed", "unsubscribed"),
        ("email_invalid", "boolean", "Email Invalid", "emailInvalid"),
        ("marketing_suspended", "boolean", "Marketing Suspended", "marketingSuspended"),
        ("do_not_call", "boolean", "Do Not Call", "doNotCall"),
        ("created_at", "date", "Created At", "createdAt"),
        ("updated_at", "date", "Updated At", "updatedAt"),
    ]
)


def _folded(name: str) -> str:
    """A name as a comparison key: case, spaces, `_` and `-` do not count."""
    return re.sub(r"[\s_-]+", "", name).casefold()


def _names(spec: FieldSpec) -> set[str]:
    """A field's names as comparison keys: its name, Marketo name, REST name and aliases."""
    return {_folded(n) for n in (spec.name, spec.label, spec.rest, *spec.aliases) if n}


# Each name of a standard field, folded -> the field.
_STANDARD_NAMES = {key: spec for spec in STANDARD_FIELDS.values() for key in _names(spec)}


def standard_field(header: str) -> FieldSpec | None:
    """The standard field a header or name means, when it is one of the
    field's names with case, spaces, `_` and `-` ignored (`Job Title`,
    `title`, `job_title` -> job_title; `Person Score` -> lead_score)."""
    return _STANDARD_NAMES.get(_folded(header))


def closest(name: str, known: dict[str, FieldSpec]) -> str | None:
    """The known field a misspelt or display-named `name` most likely means:
    one whose Marketo name, REST name or name reads the same when case,
    spaces and underscores are ignored (`"Lead Score"`, `leadScore`,
    `Person Score` -> `lead_score`), else the nearest by spelling."""
    key = _folded(name)
    for spec in known.values():
        if key in _names(spec):
            return spec.name
    close = difflib.get_close_matches(name.casefold(), list(known), n=1, cutoff=0.75)
    return close[0] if close else None
