"""Values as SQL: a person's field, a rendered string or a constant, and the
three ways a log shows a value (`stdlib.values.text` inside rendered strings,
`literal` in transcript lines, JSON in `attributes`), written as SQL
expressions that give the reference's text byte for byte.

A `Value` is an SQL expression and the kind of value it holds, as the
interpreter sees it: `text` (VARCHAR; NULL is an empty field), `int`
(BIGINT), `number` (DOUBLE: a whole number shows as an int, others as
Python's `repr`), `bool`. A constant is worked out in Python by the
reference's own functions and enters the SQL as a literal.

Where DuckDB's text would differ from Python's (`to_json` writes some
control characters' escapes in capitals; `lower` is not `casefold` beyond
ASCII), the run checks the data first and hands the campaign to the
reference interpreter (`Guard`).
"""

from __future__ import annotations

import datetime as dt

import attrs

from mkc.stdlib.values import literal as py_literal
from mkc.stdlib.values import text as py_text
from mkc.store.activities import attributes_json

KINDS = {"VARCHAR": "text", "BIGINT": "int", "DOUBLE": "number", "BOOLEAN": "bool"}
SQL_TYPE = {kind: ctype for ctype, kind in KINDS.items()}


def sql_text(text: str) -> str:
    """A Python string as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def timestamp(when: dt.datetime) -> str:
    """A moment as an SQL TIMESTAMP literal."""
    return f"TIMESTAMP '{when.isoformat(sep=' ')}'"


@attrs.frozen
class Value:
    """An SQL expression (`sql`) holding a value of `kind`; `constant`: the
    Python value when it is known before the run (`sql` is then its literal)."""

    sql: str
    kind: str
    constant: object = None
    known: bool = False

    @classmethod
    def of(cls, value) -> Value:
        """A constant value (None, text, a number, a truth value)."""
        if value is None:
            return cls("CAST(NULL AS VARCHAR)", "text", None, True)
        if isinstance(value, bool):
            return cls("true" if value else "false", "bool", value, True)
        if isinstance(value, int):
            return cls(f"CAST({value} AS BIGINT)", "int", value, True)
        if isinstance(value, float):
            return cls(f"CAST({value!r} AS DOUBLE)", "number", value, True)
        if isinstance(value, str):
            return cls(sql_text(value), "text", value, True)
        raise TypeError(value)


def number_text(sql: str) -> str:
    """`stdlib.values.number_text` of a DOUBLE: whole numbers without a
    fraction, others as `repr` (DuckDB's shortest round-trip text is the same;
    the run's guard keeps numbers within the range where both agree)."""
    return (
        f"(CASE WHEN {sql} = trunc({sql}) THEN CAST(CAST({sql} AS HUGEINT) AS VARCHAR) ELSE CAST({sql} AS VARCHAR) END)"
    )


def text(v: Value) -> str:
    """`stdlib.values.text(v)`: VARCHAR, '' for an empty value."""
    if v.known:
        return sql_text(py_text(v.constant))
    if v.kind == "text":
        return f"coalesce({v.sql}, '')"
    if v.kind == "int":
        return f"coalesce(CAST({v.sql} AS VARCHAR), '')"
    if v.kind == "number":
        return f"coalesce({number_text(v.sql)}, '')"
    return f"coalesce(CASE WHEN {v.sql} THEN 'true' ELSE 'false' END, '')"


def literal(v: Value) -> str:
    """`stdlib.values.literal(v)`: `null`, a quoted string, a number, true/false."""
    if v.known:
        return sql_text(py_literal(v.constant))
    if v.kind == "text":
        escaped = f"replace(replace(replace({v.sql}, '\\', '\\\\'), '\"', '\\\"'), chr(10), '\\n')"
        return f"coalesce('\"' || {escaped} || '\"', 'null')"
    return f"(CASE WHEN {v.sql} IS NULL THEN 'null' ELSE {text(v)} END)"


def bare(v: Value) -> str:
    """A transcript column shown bare: '' for None, text as it is, else `literal`."""
    if v.known:
        c = v.constant
        return sql_text("" if c is None else c if isinstance(c, str) else py_literal(c))
    if v.kind == "text":
        return f"coalesce({v.sql}, '')"
    return f"(CASE WHEN {v.sql} IS NULL THEN '' ELSE {literal(v)} END)"


def named(name: str, v: Value, bare_text: bool = False) -> str:
    """A `name=value` column's value (transcript.py `_value`): true/false as
    TRUE/FALSE, a code (`bare_text`) as it is, else `literal`."""
    if v.kind == "bool":
        if v.known:
            return sql_text("TRUE" if v.constant else "FALSE")
        return f"(CASE WHEN {v.sql} THEN 'TRUE' ELSE 'FALSE' END)"
    if bare_text and v.kind == "text":
        if v.known:
            return sql_text(v.constant) if v.constant is not None else sql_text("null")
        return f"coalesce({v.sql}, 'null')"
    return literal(v)


def json(v: Value) -> str:
    """The value as JSON, as `store.activities.attributes_json` writes it."""
    if v.known:
        return sql_text(attributes_json(v.constant))
    if v.kind == "text":
        return f"coalesce(CAST(to_json({v.sql}) AS VARCHAR), 'null')"
    if v.kind == "bool":
        return f"(CASE WHEN {v.sql} IS NULL THEN 'null' WHEN {v.sql} THEN 'true' ELSE 'false' END)"
    return f"(CASE WHEN {v.sql} IS NULL THEN 'null' ELSE {text(v)} END)"


# ---- what the run checks in the data first -------------------------------------------

# Characters whose JSON escape DuckDB writes in capitals (`\u000B`), where Python writes `\u000b`.
CAPITAL_ESCAPES = "[\\x0b\\x0e\\x0f\\x1a-\\x1f]"
NOT_ASCII = "[^\\x00-\\x7f]"
# A DOUBLE whose text both give alike: whole numbers DuckDB can make a HUGEINT of, others in repr's plain range.
DOUBLE_RANGE = "abs({0}) < 1e15 AND (abs({0}) >= 1e-4 OR {0} = 0)"
