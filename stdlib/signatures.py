"""Parameter descriptions shared by steps, conditions and triggers.

A signature says, for the checker, which arguments a call takes and of what
type; the interpreter binds a call's arguments with the same signature, so
both phases agree on what `change_score +5 field=x` means.
"""

from __future__ import annotations

import attrs

# Argument types. References (campaign, list, ...) are written as a name or a
# string; `text` is a string that may hold tokens; `value` is any scalar.
TYPES = {
    "score": "a score change (+N, -N, =N) or a token holding one",
    "field": "a person field name",
    "value": "a value (string, number, date, boolean, null or token)",
    "text": "a string",
    "number": "a number",
    "bool": "true or false",
    "duration": "a duration such as `3 days`",
    "datetime": "a date or date-time such as 2026-01-05T09:00",
    "time": "a time of day such as 09:00",
    "weekdays": "a list of days such as [mon, tue, wed, thu, fri]",
    "moment_type": "web, email or milestone",
    "source": '"flow_action" or "api"',
    "campaign": "a campaign",
    "program": "a program",
    "list": "a static list",
    "smart_list": "a smart list",
    "email": "an email",
    "webhook": "a webhook",
}

# Types whose argument names an asset or campaign (the checker resolves them).
REFERENCE_TYPES = {"campaign", "program", "list", "smart_list", "email", "webhook"}


@attrs.frozen
class Param:
    name: str
    type: str
    required: bool = True
    positional: bool = True
    repeat: bool = False  # takes one or more positional values
    default: object = None
    of: str | None = None  # a status of the program (a value of the field) that parameter names
    numeric: bool = False  # a field argument that must name a number field (a score)
    this_campaign: bool = False  # a campaign argument that may be `this_campaign`, the campaign the call is in


@attrs.frozen
class Signature:
    params: tuple[Param, ...] = ()

    @property
    def positional(self) -> tuple[Param, ...]:
        return tuple(p for p in self.params if p.positional)

    @property
    def keywords(self) -> dict[str, Param]:
        return {p.name: p for p in self.params if not p.positional}

    def param(self, name: str) -> Param:
        return next(p for p in self.params if p.name == name)

    def bind(self, args: tuple, kwargs: tuple) -> dict[str, object]:
        """Map a (checked) call's values to parameter names; a missing one gets
        its default, a repeating one a tuple of the rest."""
        bound: dict[str, object] = {p.name: p.default for p in self.params}
        rest = list(args)
        for p in self.positional:
            if p.repeat:
                bound[p.name], rest = tuple(rest), []
            elif rest:
                bound[p.name] = rest.pop(0)
        for k in kwargs:
            bound[k.name] = k.value
        return bound

    def describe(self) -> str:
        parts = []
        for p in self.params:
            text = p.name.upper() if p.positional else f"{p.name}=…"
            if p.repeat:
                text += "..."
            parts.append(text if p.required else f"[{text}]")
        return " ".join(parts)


def sig(*params: Param) -> Signature:
    return Signature(tuple(params))


def pos(
    name: str, type_: str, required: bool = True, repeat: bool = False, of: str | None = None, this_campaign=False
) -> Param:
    return Param(name, type_, required=required, repeat=repeat, of=of, this_campaign=this_campaign)


def kw(
    name: str, type_: str, default: object = None, required: bool = False, of: str | None = None, numeric: bool = False
) -> Param:
    return Param(name, type_, required=required, positional=False, default=default, of=of, numeric=numeric)
