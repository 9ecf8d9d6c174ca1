"""Run-time values and Marketo's rules for comparing them.

A person field, a token or an activity attribute holds one of: `None` (empty),
`str`, `int`/`float`, `bool`, `datetime.date` (a date without a time),
`datetime.datetime`, or an `ast.ScoreChange` (a token holding `+10`). Literals
in the source become these with `from_literal`. Steps, conditions, triggers
and expects all compare with the functions here, so "case-insensitive text"
and "a number `= 0` also matches empty" mean the same thing everywhere.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable

from mkc.grammar import ast
from mkc.grammar.dump import show_value

_NUMBER_RE = re.compile(r"[+-]?\d+(\.\d+)?")
_SCORE_RE = re.compile(r"(=)?\s*([+-]?\d+(\.\d+)?)")
_DATETIME_RE = re.compile(r"\d{4}-\d{2}-\d{2}([T ]\d{1,2}:\d{2}(:\d{2})?)?")


def from_literal(node):
    """The run-time value of a literal AST value (tokens are resolved elsewhere)."""
    if isinstance(node, ast.Str):
        return node.text
    if isinstance(node, ast.Num):
        return node.value
    if isinstance(node, ast.Bool):
        return node.value
    if isinstance(node, ast.Null):
        return None
    if isinstance(node, ast.DateTime):
        return node.value if node.has_time else node.value.date()
    if isinstance(node, ast.Ref):
        return ".".join(node.parts)
    if isinstance(node, ast.ListValue):
        return tuple(from_literal(v) for v in node.items)
    return node  # ScoreChange, Duration, TimeOfDay stay as they are


def is_empty(value) -> bool:
    return value is None or value == "" or value == ()


def as_number(value) -> int | float | None:
    """A number, a numeric string as a number, else None."""
    kind = type(value)
    if kind is int or kind is float:  # the common cases first; a bool is no number
        return value
    if kind is not str:
        if isinstance(value, bool):
            return None
        if isinstance(value, (int, float)):
            return value
    if isinstance(value, str):
        text = value.strip()
        # Most text is not a number: its first character says so without the regex.
        if text and (text[0] in "+-" or text[0].isdigit()) and _NUMBER_RE.fullmatch(text):
            return float(text) if "." in text else int(text)
    return None


def as_datetime(value) -> dt.datetime | None:
    """A date-time; a date counts as its midnight; an ISO string is parsed."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, str) and _DATETIME_RE.fullmatch(value.strip()):
        text = value.strip().replace(" ", "T")
        try:
            return dt.datetime.fromisoformat(text)
        except ValueError:
            return None
    return None


# ---- time arithmetic: the clock runs from year 1 to the end of year 9999 -----------
#
# Python's datetime raises OverflowError past its range; a wait, a schedule or a
# condition with a huge duration must not. Every sum of a time and a duration
# goes through here.

END_OF_TIME = dt.datetime.max.replace(second=0, microsecond=0)  # 9999-12-31 23:59, the clock's last minute


def duration_delta(duration) -> dt.timedelta | None:
    """An `ast.Duration` as a timedelta; None when it is longer than any
    timedelta (about 2.7 million years), so longer than the clock's range."""
    try:
        return duration.delta
    except (OverflowError, ValueError):  # (ValueError: a float amount such as 1e400 is infinite)
        return None


def later(when: dt.datetime, delta: dt.timedelta | None) -> dt.datetime | None:
    """`when + delta`, or None when that is past the end of year 9999 (`delta`
    None: too long for any clock)."""
    if delta is None:
        return None
    try:
        return when + delta
    except OverflowError:
        return None


def within(when: dt.datetime, delta: dt.timedelta | None, past: bool) -> tuple[dt.datetime, dt.datetime]:
    """The moments from `when - delta` to `when` (`past`), or from `when` to
    `when + delta`, cut at the ends of the clock's range."""
    try:
        if delta is None:
            raise OverflowError
        return (when - delta, when) if past else (when, when + delta)
    except OverflowError:
        return (dt.datetime.min, when) if past else (when, dt.datetime.max)


def years_later(when: dt.datetime, years: int) -> dt.datetime:
    """The same moment `years` calendar years later (29 February -> 28
    February), or the end of the clock when that is past year 9999."""
    year = when.year + years
    if year > dt.MAXYEAR:
        return dt.datetime.max
    day = min(when.day, 28) if when.month == 2 and when.day == 29 else when.day
    return when.replace(year=year, day=day)


def is_date_only(value) -> bool:
    return type(value) is dt.date


def as_score_change(value) -> ast.ScoreChange | None:
    """`+N`/`-N`/`=N` from a score change, a number (added) or text such as "+7"."""
    if isinstance(value, ast.ScoreChange):
        return value
    number = as_number(value)
    if number is not None:
        return ast.ScoreChange("+", number)
    if isinstance(value, str):
        m = _SCORE_RE.fullmatch(value.strip())
        if m:
            amount = float(m.group(2)) if m.group(3) else int(m.group(2))
            return ast.ScoreChange("=" if m.group(1) else "+", amount)
    return None


def apply_score(change: ast.ScoreChange, base: int | float) -> int | float | None:
    """The new score; None when it is no finite number (past about 1.8e308)."""
    try:
        result = change.amount if change.op == "=" else base + change.amount
    except OverflowError:  # a whole number too large for a float, plus a fraction
        return None
    if type(result) is int:  # whole already (what the rule below gives an int)
        return result
    if not math.isfinite(result):
        return None
    return int(result) if float(result).is_integer() else result


def number_text(x: int | float) -> str:
    if isinstance(x, int):  # (a huge whole number has no float)
        return str(int(x))
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def text(value) -> str:
    """A value as it appears inside a rendered string (`<<lead.lead_score>>` -> `50`)."""
    if type(value) is str:
        return value
    if type(value) is int:  # a whole number: what `number_text` gives it
        return str(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return number_text(value)
    if isinstance(value, dt.datetime):
        return ast.format_datetime(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return ", ".join(text(v) for v in value)
    return str(value)


def literal(value) -> str:
    """A value written as an mkc literal: `null`, `"MQL"`, `10`, `true`, `2026-01-05`."""
    if value is None:
        return "null"
    if isinstance(value, str):
        return show_value(ast.Str(value))
    if isinstance(value, tuple):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    return text(value)


def same(a, b) -> bool:
    """Whether setting `b` over `a` is no change: empty equals empty, numbers by
    value, dates by instant, text case-insensitively."""
    if type(a) is str and type(b) is str and a and b:  # two texts, the common case: `_same` for them
        na = as_number(a)
        if na is not None:
            nb = as_number(b)
            if nb is not None:
                return na == nb
        return a.casefold() == b.casefold()
    return _same(a, b)


def _same(a, b) -> bool:
    a_empty, b_empty = a is None or a == "" or a == (), b is None or b == "" or b == ()  # is_empty, inlined
    if a_empty or b_empty:
        return a_empty and b_empty
    if isinstance(a, bool) or isinstance(b, bool):
        return _bool(a) is not None and _bool(a) == _bool(b)
    na, nb = as_number(a), as_number(b)
    if na is not None and nb is not None:
        return na == nb
    if isinstance(a, dt.date) or isinstance(b, dt.date):
        da, db = as_datetime(a), as_datetime(b)
        return da is not None and da == db
    return text(a).casefold() == text(b).casefold()


def _bool(value) -> bool | None:
    if isinstance(value, bool):
        return value
    if is_empty(value):
        return False  # Marketo's booleans are false until set
    if isinstance(value, str) and value.strip().casefold() in ("true", "false"):
        return value.strip().casefold() == "true"
    return None


# ---- condition semantics (spec section 3) ----------------------------------------


def equals(value, operand) -> bool:
    """`FIELD = operand`: text case-insensitively, a number `= 0` also matches
    empty (an empty number counts as 0), an empty boolean is false, a date-only
    operand matches the whole day."""
    if isinstance(operand, bool):
        return _bool(value) is operand
    if operand is None or operand == "":
        return is_empty(value)
    if isinstance(operand, (int, float)):
        number = 0 if is_empty(value) else as_number(value)
        return number is not None and number == operand
    if isinstance(operand, dt.date):
        when = as_datetime(value)
        if when is None:
            return False
        return when.date() == operand if is_date_only(operand) else when == operand
    if is_empty(value):
        return False
    number, other = as_number(value), as_number(operand)
    if number is not None and other is not None:
        return number == other
    return text(value).casefold() == text(operand).casefold()


def equals_to(operand):
    """`lambda value: equals(value, operand)`, with what depends only on the
    operand (its type, its number, its folded text) worked out once."""
    if isinstance(operand, (bool, dt.date)):
        return lambda value: equals(value, operand)
    if operand is None or operand == "":
        return is_empty
    if isinstance(operand, (int, float)):

        def equals_number(value) -> bool:
            number = 0 if is_empty(value) else as_number(value)
            return number is not None and number == operand

        return equals_number
    other, folded = as_number(operand), text(operand).casefold()

    def equals_text(value) -> bool:
        if is_empty(value):
            return False
        if other is not None:
            number = as_number(value)
            if number is not None:
                return number == other
        return (value if type(value) is str else text(value)).casefold() == folded

    return equals_text


def member_of(operands) -> Callable:
    """`lambda value: any(equals(value, v) for v in operands)`, worked out once:
    when every operand is text that is not a number (`["NL", "BE"]`), a set of
    folded texts answers."""
    if all(isinstance(v, str) and v != "" and as_number(v) is None for v in operands):
        folded = frozenset(v.casefold() for v in operands)

        def member_text(value) -> bool:
            if type(value) is str:  # most fields: text, its own text
                return value != "" and value.casefold() in folded
            return not is_empty(value) and text(value).casefold() in folded

        return member_text
    tests = [equals_to(v) for v in operands]
    return lambda value: any(test(value) for test in tests)


def order_to(operand):
    """`lambda value: order(value, operand)`, worked out once for a number."""
    if isinstance(operand, (int, float)) and not isinstance(operand, bool):

        def order_number(value) -> int | None:
            number = 0 if is_empty(value) else as_number(value)
            return None if number is None else (number > operand) - (number < operand)

        return order_number
    return lambda value: order(value, operand)


def order(value, operand) -> int | None:
    """Compare for `<`, `>`, `between`: -1, 0, 1, or None when they cannot be
    compared. Numbers compare as numbers (empty counts as 0), dates as dates
    (a date-only operand compares with the day), other text case-insensitively."""
    if isinstance(operand, (int, float)) and not isinstance(operand, bool):
        number = 0 if is_empty(value) else as_number(value)
        return None if number is None else _cmp(number, operand)
    if isinstance(operand, dt.date):
        when = as_datetime(value)
        if when is None:
            return None
        if is_date_only(operand):
            return _cmp(when.date(), operand)
        return _cmp(when, operand)
    if is_empty(value) or isinstance(operand, (bool, tuple)) or operand is None:
        return None
    return _cmp(text(value).casefold(), text(operand).casefold())


def _cmp(a, b) -> int:
    return (a > b) - (a < b)
