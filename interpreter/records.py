"""The REST activity record (REST.md, Activity records): one activity as
Marketo's REST API shows it. `mkc run --format jsonl`, `mkc db export
activities.jsonl` and `mkc serve` all make their records here.

A record needs ids that the activity itself does not hold: the person's
REST id, the ids of campaigns, programs, lists, emails and fields, and each
field's Marketo name. `Ids` holds them: made from a model (`Ids.of_model`,
the project's own numbering) or read back from a database (store/rest_ids.py).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from json import encoder as _json_encoder

import attrs

from mkc.checker.model import Model
from mkc.interpreter.memo import Memo
from mkc.interpreter.runtime import Key, Keys
from mkc.stdlib.fields import STANDARD_FIELDS, FieldSpec
from mkc.stdlib.rest import REST_ACTIVITIES

_WHOLE = re.compile(r"-?[0-9]{1,18}")
FIRST_CUSTOM_FIELD_ID = 1001  # standard fields are numbered 1, 2, ... in the field table's order


def whole_number(handle: str) -> int | None:
    """A person's handle as their REST id, when it is a whole number (an imported `Id`)."""
    return int(handle) if _WHOLE.fullmatch(handle) else None


def field_ids(fields) -> dict[str, tuple[int, str]]:
    """Field name -> (REST id, Marketo name) for `fields` (FieldSpecs, or names):
    standard fields by their place in the field table, the others from
    `FIRST_CUSTOM_FIELD_ID` in the order given."""
    standard = {name: i for i, name in enumerate(STANDARD_FIELDS, 1)}
    found: dict[str, tuple[int, str]] = {}
    next_id = FIRST_CUSTOM_FIELD_ID
    for field in fields:
        spec = field if isinstance(field, FieldSpec) else STANDARD_FIELDS.get(field) or FieldSpec(field, "text")
        if spec.name in found:
            continue
        if spec.name in standard:
            found[spec.name] = (standard[spec.name], spec.label or spec.name)
        else:
            found[spec.name] = (next_id, spec.label or spec.name)
            next_id += 1
    return found


class Ids:
    """The ids and Marketo names a record shows. `targets`: a campaign's,
    program's or asset's key -> id; `flows`: a campaign's `Program.Campaign`
    name -> id; `fields`: name -> (id, Marketo name); `people`: handle -> id
    for people whose handle is not a whole number (others are their handle).
    A person not known yet gets the next free whole number."""

    def __init__(self, targets=None, flows=None, fields=None, people=None, taken=()):
        self.targets: dict[Key, int] = dict(targets or {})
        self.flows: dict[str, int] = dict(flows or {})
        self.fields: dict[str, tuple[int, str]] = dict(fields or {})
        self.people: dict[str, int] = dict(people or {})
        self._next_person = max([0, *taken, *self.people.values()]) + 1

    @classmethod
    def of_model(cls, model: Model, handles=None, extra_fields=()) -> Ids:
        """The project's numbering (`<<campaign.id>>`, `<<program.id>>`, lists and
        assets alike); people `handles` (default: the declared people) numbered
        in the order given."""
        keys = Keys(model)
        targets, flows = {}, {}
        for campaign in model.campaigns:
            targets[keys(campaign)] = flows[campaign.full_name] = keys.id_of(campaign)
        for by_name in model.programs.values():
            for program in by_name.values():
                targets[keys(program)] = keys.id_of(program)
        for scope in model.all_scopes:
            for table in scope.assets.values():
                for node in table.values():
                    targets[keys(node)] = keys.id_of(node)
        fields = field_ids([*model.fields.values(), *extra_fields])
        handles = [p.handle for p in model.people] if handles is None else list(handles)
        ids = cls(targets, flows, fields, taken=[n for n in map(whole_number, handles) if n is not None])
        for handle in handles:
            ids.lead(handle)
        return ids

    def lead(self, handle: str) -> int:
        if handle.isdigit() and handle.isascii() and len(handle) < 19:  # an imported Id, nearly always
            return int(handle)
        own = whole_number(handle)
        if own is not None:
            return own
        found = self.people.get(handle)
        if found is None:
            found = self.people[handle] = self._next_person
            self._next_person += 1
        return found

    def field(self, name: str) -> tuple[int | None, str]:
        known = self.fields.get(name)
        if known is not None:
            return known
        spec = STANDARD_FIELDS.get(name)
        return None, (spec.label if spec and spec.label else name)


def value_text(value) -> str:
    """An attribute's value as a record shows it (JSON values, as the log keeps them, or run-time ones)."""
    if type(value) is str:  # most are
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return activity_date(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ", ".join(value_text(v) for v in value)
    return str(value)


def _date_text(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


# A log's activities share few times: each is formatted once (strftime costs more than a look-up).
_DATES: Memo = Memo(_date_text, 4096)


def activity_date(when: dt.datetime) -> str:
    """`YYYY-MM-DDTHH:MM:SSZ`."""
    return _DATES[when]


@attrs.frozen
class _Layout:
    """What a record of one activity type needs, worked out once per type."""

    type_id: int | None
    primary: str | None
    field: bool  # the primary attribute is a field
    named: tuple[tuple[str, str], ...]  # (mkc attribute, Marketo name)
    known: frozenset  # the attributes shown under Marketo's names, or as primary


def _layout(type_: str) -> _Layout:
    spec = REST_ACTIVITIES.get(type_)
    if spec is None:  # not a type mkc logs (a database from another version)
        return _Layout(None, None, False, (), frozenset())
    known = frozenset([a for a, _ in spec.attributes] + ([spec.primary] if spec.primary else []))
    return _Layout(spec.type_id, spec.primary, spec.primary_kind == "field", spec.attributes, known)


_LAYOUTS: Memo = Memo(_layout, 256)


def rest_record(
    seq: int,
    when: dt.datetime,
    person: str,
    type_: str,
    attributes: dict,
    flow: str | None,
    via,
    target: Key | None,
    ids: Ids,
    run: int | None = None,
) -> dict:
    """One activity (its number in the log, and what the log keeps of it) as a
    REST record, its keys in sorted order (as JSON Lines writes them)."""
    layout = _LAYOUTS[type_]
    primary = layout.primary
    primary_id = primary_value = None
    if primary is not None and primary in attributes:
        if layout.field:
            primary_id, primary_value = ids.field(str(attributes[primary]))
        else:
            primary_value = value_text(attributes[primary])
            if target is not None:
                primary_id = ids.targets.get(tuple(target))
    listed = [
        {"name": name, "value": v if type(v := attributes[a]) is str else value_text(v)}
        for a, name in layout.named
        if a in attributes
    ]
    if not layout.known.issuperset(attributes):
        listed += [{"name": f"mkc {a}", "value": value_text(v)} for a, v in attributes.items() if a not in layout.known]
    if flow is not None:
        listed.append({"name": "mkc Flow", "value": str(flow)})
    if via:
        listed.append({"name": "mkc Via", "value": ">".join(str(c) for c in via)})
    if run is not None:
        listed.append({"name": "mkc Run", "value": str(run)})
    return {
        "activityDate": _DATES[when],
        "activityTypeId": layout.type_id,
        "attributes": listed,
        "campaignId": ids.flows.get(str(flow)) if flow is not None else None,
        "id": seq,
        "leadId": ids.lead(person),
        "marketoGUID": str(seq),
        "primaryAttributeValue": primary_value,
        "primaryAttributeValueId": primary_id,
    }


def _line_encoder():
    """`json.dumps(record, sort_keys=True, ensure_ascii=False)`, with the C
    encoder made once: `json.dumps` makes one per call, which costs more than
    encoding a record."""
    make = getattr(_json_encoder, "c_make_encoder", None)
    if make is None:  # not CPython
        return lambda record: json.dumps(record, sort_keys=True, ensure_ascii=False)
    encode = make(None, None, _json_encoder.encode_basestring, None, ": ", ", ", True, False, True)
    return lambda record: "".join(encode(record, 0))


record_json = _line_encoder()
record_json.__doc__ = "A record as one JSON line: keys sorted, as every JSON Lines output of mkc."
