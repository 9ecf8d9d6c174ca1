"""A readable, stable dump of the AST (for `mkc parse --ast` and tests)."""

from __future__ import annotations

import attrs

from mkc.grammar import ast
from mkc.grammar.unparse import value as show_value  # one way to write a value; others import it from here

_LEAVES = (
    ast.Str,
    ast.Num,
    ast.ScoreChange,
    ast.Duration,
    ast.TimeOfDay,
    ast.DateTime,
    ast.Token,
    ast.Bool,
    ast.Null,
    ast.Ref,
)


def dump(node, indent: int = 0) -> str:
    pad = "  " * indent
    if isinstance(node, _LEAVES + (ast.ListValue,)):
        return pad + show_value(node)
    if not attrs.has(type(node)):
        return pad + repr(node)
    lines = [pad + type(node).__name__]
    if isinstance(node, (ast.And, ast.Or)):  # a chain, flat: `And(And(a, b), c)` is as deep as it is long
        lines.append(f"{pad}  terms:")
        lines.extend(dump(t, indent + 2) for t in ast.terms(node))
        return "\n".join(lines)
    for field in attrs.fields(type(node)):
        if field.alias.endswith("span") or field.alias == "file":
            continue
        value = getattr(node, field.alias)  # as declared: tuples are kept compactly (`ast.node`)
        if value is None or value == ():
            continue
        if isinstance(value, tuple):
            if all(isinstance(v, str) for v in value):
                lines.append(f"{pad}  {field.alias}: {', '.join(value)}")
                continue
            lines.append(f"{pad}  {field.alias}:")
            lines.extend(dump(v, indent + 2) for v in value)
        elif attrs.has(type(value)) and not isinstance(value, _LEAVES):
            lines.append(f"{pad}  {field.alias}:")
            lines.append(dump(value, indent + 2))
        elif isinstance(value, _LEAVES):
            lines.append(f"{pad}  {field.alias}: {show_value(value)}")
        else:
            lines.append(f"{pad}  {field.alias}: {value}")
    return "\n".join(lines)
