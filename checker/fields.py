"""Fields (spec section 2, Fields): every person field a program names must
be a standard Marketo field or declared in `fields < … >`, and a value
written for a field must be one that field can hold.

A field is named by a person's declaration, a condition (`filter`, `when`,
`expect`), a step or trigger argument of the field type, a scenario's `set`,
an `expect activity … field=`, and a `<<lead.x>>` token. Fields are one
schema for the whole instance, so the walk needs no scope: it visits every
node of the file once (a clone's copied smart list and flow are the
original's nodes, checked there).

Codes: unknown-field (a warning: at run time the field is simply empty), and
bad-argument for a value that cannot have its field's type.
"""

from __future__ import annotations

import attrs

from mkc.checker.model import Model
from mkc.checker.report import Report
from mkc.checker.tokens import tokens_in
from mkc.grammar import ast, walk
from mkc.grammar.dump import show_value
from mkc.source import Span
from mkc.stdlib import STEPS, TRIGGERS
from mkc.stdlib.conditions import COMPARE_OPS, DATE_OPS, RANGE_OPS, RELATIVE_OPS, SET_OPS
from mkc.stdlib.fields import STANDARD_FIELDS, FieldSpec, closest
from mkc.stdlib.values import as_datetime, as_number

_TYPE_WORDS = {"number": "a number", "date": "a date", "boolean": "true or false", "text": "text"}


def know(model: Model, known: dict[str, str], report: Report) -> None:
    """Add fields known from outside the program (a database's columns, by
    type). A declared custom field whose type contradicts one is bad-argument;
    a standard field keeps its own type."""
    for name, type_ in known.items():
        decl = model.field_decls.get(name)
        if decl is not None and decl.type != type_:
            report.error(
                "bad-argument",
                f"`{name}` is declared {decl.type}, but the database holds it as {type_}",
                decl.type_span or decl.span,
                f"declare it `{name} {type_}`",
            )
        elif decl is None and name not in STANDARD_FIELDS:
            model.fields[name] = FieldSpec(name, type_)


def check(model: Model, module: ast.Module, report: Report) -> None:
    rule = _Fields(model, report)
    for node in walk.nodes(module):
        visit = _VISITS.get(type(node))
        if visit is not None:
            visit(rule, node)


class _Fields:
    def __init__(self, model: Model, report: Report):
        self.fields = model.fields
        self.report = report

    # ---- naming a field ----------------------------------------------------------------

    def known(self, name: str, span: Span | None) -> str | None:
        """The field's type, or None after warning that no such field exists."""
        spec = self.fields.get(name)
        if spec is not None:
            return spec.type
        shown = name if name.isidentifier() else f'"{name}"'
        close = closest(name, self.fields)
        if close is not None:
            label = self.fields[close].label
            if label is not None and label.casefold() == name.casefold():
                hint = f'Marketo shows `{close}` as "{label}"; in mkc it is `{close}`'
            else:
                hint = f"did you mean `{close}`?"
        else:
            hint = f"declare it at file level: `fields < {shown} text >` (or number, date, boolean)"
        self.report.warning(
            "unknown-field",
            f"no field `{name}`: it is neither a standard Marketo field nor declared in `fields`",
            span,
            hint,
        )
        return None

    def argument(self, value) -> str | None:
        """The type of the field a step's or trigger's field argument names."""
        if isinstance(value, ast.Str):
            return self.known(value.text, value.span)
        if isinstance(value, ast.Ref) and len(value.parts) == 1:
            return self.known(value.name, value.span)
        return None  # not a name: the call's own check says so

    # ---- values of a field's type ------------------------------------------------------

    def value(self, field: str, type_: str | None, value, what: str = "hold") -> None:
        """Report a written value that `field` (of `type_`) cannot take."""
        if type_ is None or type_ == "text":
            return  # anything reads as text, numbers included
        for item in value.items if isinstance(value, ast.ListValue) else (value,):
            if not _fits(type_, item):
                self.report.error(
                    "bad-argument",
                    f"`{field}` is a {type_} field and cannot {what} {show_value(item)}: it takes {_TYPE_WORDS[type_]}",
                    item.span,
                    _example(type_),
                )

    def numeric(self, field: str, type_: str | None, span: Span | None, what: str) -> None:
        if type_ is not None and type_ != "number":
            self.report.error("bad-argument", f"{what} a number field, and `{field}` is a {type_} field", span)

    # ---- the places fields are named ---------------------------------------------------

    def field_cond(self, cond: ast.FieldCond) -> None:
        type_ = self.known(cond.field, cond.field_span or cond.span)
        if type_ is None:
            return
        op = cond.op
        if op in DATE_OPS or op in RELATIVE_OPS:
            if type_ in ("number", "boolean"):
                self.report.error(
                    "bad-argument",
                    f"`{op}` compares dates, and `{cond.field}` is a {type_} field",
                    cond.field_span or cond.span,
                    "compare a date field, such as `created_at`",
                )
        elif op in COMPARE_OPS or op in SET_OPS or op in RANGE_OPS:
            for operand in cond.operands:
                self.value(cond.field, type_, operand, "be compared with")

    def step(self, step: ast.Step) -> None:
        spec = STEPS.get(step.name)
        if spec is not None:
            self.call(spec.signature, step, f"`{step.name}` changes", "hold")

    def trigger(self, call) -> None:
        spec = TRIGGERS.get(call.name if isinstance(call, ast.Trigger) else call.trigger)
        if spec is not None:
            self.call(spec.signature, call, f"`{spec.name}` watches", None)

    def call(self, signature, call, does: str, holds: str | None) -> None:
        """A step's or trigger's field arguments: a score field is a number
        field (`Param.numeric`), and a value given for a field (`Param.of`)
        fits it (a trigger's `from=`/`to=`: what it would change from, to)."""
        bound = _field_arguments(signature, call)
        everything = signature.bind(call.args, call.kwargs)
        for name, value in bound.items():
            type_ = self.argument(value)
            field = _field_name(value)
            if signature.param(name).numeric:
                self.numeric(field, type_, value.span, does)
            for p in signature.params:
                given = everything.get(p.name)
                if p.of == name and given is not None and not isinstance(given, tuple):
                    self.value(field, type_, given, holds or f"change {p.name}")

    def field_value(self, node: ast.FieldValue) -> None:
        self.value(node.field, self.known(node.field, node.field_span or node.span), node.value)

    def set(self, node: ast.Set) -> None:
        self.value(node.field, self.known(node.field, node.field_span or node.span), node.value)

    def expect_activity(self, node: ast.ExpectActivity) -> None:
        for kw in node.kwargs:
            if kw.name == "field":
                self.argument(kw.value)

    def text(self, node) -> None:
        for use in tokens_in(node):
            if use.scope == "lead":
                self.known(use.name, use.span)


_VISITS = {
    ast.FieldCond: _Fields.field_cond,
    ast.Step: _Fields.step,
    ast.Trigger: _Fields.trigger,
    ast.Event: _Fields.trigger,
    ast.FieldValue: _Fields.field_value,
    ast.Set: _Fields.set,
    ast.ExpectActivity: _Fields.expect_activity,
    ast.Str: _Fields.text,
    ast.Token: _Fields.text,
}


def _field_arguments(signature, call) -> dict[str, object]:
    """The call's written values (not defaults) for its parameters of the field type, by name."""
    bound = signature.bind(call.args, call.kwargs)
    return {p.name: bound[p.name] for p in signature.params if p.type == "field" and attrs.has(type(bound[p.name]))}


def _field_name(value) -> str:
    return value.text if isinstance(value, ast.Str) else str(value)


def _fits(type_: str, value) -> bool:
    """Whether a written value can be a `type_` field's (tokens and text with
    tokens are known only at run time; numeric text is a number and ISO text
    a date, as at run time)."""
    if isinstance(value, (ast.Token, ast.Null)):
        return True
    if isinstance(value, ast.Str):
        if "<<" in value.text:
            return True
        text = value.text
        if type_ == "number":
            return as_number(text) is not None
        if type_ == "date":
            return as_datetime(text) is not None
        return text.strip().casefold() in ("true", "false")
    if type_ == "number":
        return isinstance(value, (ast.Num, ast.ScoreChange))
    if type_ == "date":
        return isinstance(value, ast.DateTime)
    return isinstance(value, ast.Bool)


def _example(type_: str) -> str:
    return {
        "number": "write a number, such as 10",
        "date": "write a date or date-time, such as 2026-01-05 or 2026-01-05T09:00",
        "boolean": "write true or false",
    }[type_]
