"""Person fields as the REST API names and types them (REST.md, Details):
standard fields by the field table's REST names, custom ones by the
camelCase of their mkc name; values from JSON checked against the field's
type (code 1001 when they cannot have it) and back to JSON."""

from __future__ import annotations

import datetime as dt
import math

import attrs

from mkc.grammar.template import has_tokens
from mkc.interpreter.records import activity_date, field_ids
from mkc.stdlib.fields import STANDARD_FIELDS, FieldSpec
from mkc.store.schema import FIELD_TYPE_OF_COLUMN

# dataType of the standard fields that are not plain text, number, boolean or date.
_STANDARD_TYPES = {"email": "email", "lead_score": "integer", "number_of_employees": "integer"}
_STANDARD_TYPES["annual_revenue"] = "currency"
_TYPE_WORDS = {"text": "string", "number": "float", "boolean": "boolean", "date": "datetime"}
READ_ONLY = {"created_at", "updated_at"}


def camel(name: str) -> str:
    """`renewal_date` -> `renewalDate`."""
    first, *rest = name.split("_")
    return first + "".join(p[:1].upper() + p[1:] for p in rest)


@attrs.frozen
class RestField:
    name: str  # mkc's
    rest: str
    type: str  # stdlib/fields.py TYPES
    id: int
    display: str

    @property
    def data_type(self) -> str:
        if self.name in STANDARD_FIELDS:
            return _STANDARD_TYPES.get(self.name) or ("string" if self.type == "text" else _TYPE_WORDS[self.type])
        return _TYPE_WORDS[self.type]

    def describe(self) -> dict:
        return {
            "id": self.id,
            "displayName": self.display,
            "dataType": self.data_type,
            "rest": {"name": self.rest, "readOnly": self.name in READ_ONLY},
        }


def rest_fields(model_fields: dict[str, FieldSpec], columns: dict[str, str]) -> dict[str, RestField]:
    """REST name -> field: the standard and declared fields, then the database's others."""
    specs = list(model_fields.values())
    specs += [FieldSpec(n, FIELD_TYPE_OF_COLUMN.get(t, "text")) for n, t in columns.items() if n not in model_fields]
    ids = field_ids(specs)
    found = {}
    for spec in specs:
        rest = spec.rest or camel(spec.name)
        found[rest] = RestField(spec.name, rest, spec.type, ids[spec.name][0], ids[spec.name][1])
    return found


class WrongType(ValueError):
    """A value the field cannot have (1001)."""


def from_json(field: RestField, value):
    """A JSON value as the field's value (None: empty); WrongType if it cannot be one."""
    if value is None or value == "":
        return None
    kind = field.type
    if kind == "number":
        if isinstance(value, str):
            try:
                value = float(value.replace(",", "")) if any(c in value for c in ".eE") else int(value)
            except ValueError:
                raise WrongType(f"{value!r} is not a number") from None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise WrongType(f"{value!r} is not a number")
        return int(value) if isinstance(value, float) and value.is_integer() else value
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.casefold() in ("true", "false"):
            return value.casefold() == "true"
        raise WrongType(f"{value!r} is not a boolean")
    if kind == "date":
        if not isinstance(value, str):
            raise WrongType(f"{value!r} is not a date")
        try:
            return parse_time(value)
        except ValueError:
            raise WrongType(f"{value!r} is not a date") from None
    if isinstance(value, (dict, list, bool)):
        raise WrongType(f"{value!r} is not text")
    text = value if isinstance(value, str) else str(value)
    if has_tokens(text):  # a value is set as a scenario's `set` sets it, which would render the token
        raise WrongType(f"{text!r} holds a token (<<scope.name>>), which a value cannot")
    return text


def parse_time(text: str) -> dt.datetime:
    """ISO 8601 (a date, or a date-time with `Z`, an offset or none) as UTC without a
    zone, to the second as Marketo's times are (activities page by their time)."""
    when = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC).replace(tzinfo=None)
    return when.replace(microsecond=0)


def to_json(value):
    """A field's value in an answer."""
    if isinstance(value, dt.datetime):
        return activity_date(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
