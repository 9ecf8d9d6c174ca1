"""Smart list conditions (spec section 3): field operators and named conditions.

Each field operator has its test in `FIELD_TESTS`, each named condition its
`evaluate`; the interpreter resolves tokens and references and calls them.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable

import attrs

from mkc.stdlib.signatures import Signature, kw, pos, sig
from mkc.stdlib.values import (
    as_datetime,
    as_number,
    duration_delta,
    equals,
    equals_to,
    is_empty,
    member_of,
    order,
    order_to,
    text,
    within,
)

# Field operators, by the kind of operand they take (the grammar fixes arity).
COMPARE_OPS = ("=", "!=", "<", ">", "<=", ">=")
SET_OPS = ("in", "not_in")
TEXT_OPS = ("contains", "not_contains", "starts_with", "not_starts_with", "ends_with")
DATE_OPS = ("before", "after", "on_or_before", "on_or_after")
RELATIVE_OPS = ("in_past", "in_future")
RANGE_OPS = ("between",)
EMPTY_OPS = ("is_empty", "not_empty")
FIELD_OPS = COMPARE_OPS + SET_OPS + TEXT_OPS + DATE_OPS + RELATIVE_OPS + RANGE_OPS + EMPTY_OPS


# ---- field operators: test(value, operands, now) -> bool --------------------------
# `value` is the person's field (None when never set); operands are run-time
# values (a duration stays an `ast.Duration`); `now` is the virtual clock.


def _ordered(check):
    def test(value, operands, now):
        result = order(value, operands[0])
        return result is not None and check(result)

    return test


def _text_test(check, when_empty: bool):
    def test(value, operands, now):
        if is_empty(value):
            return when_empty
        return check(text(value).casefold(), text(operands[0]).casefold())

    return test


def _date_test(check, when_empty: bool):
    """`before`/`on_or_before` also match an empty date, as in Marketo."""

    def test(value, operands, now):
        if is_empty(value):
            return when_empty
        result = order(value, operands[0]) if isinstance(operands[0], dt.date) else None
        return result is not None and as_datetime(value) is not None and check(result)

    return test


def _relative(past: bool):
    def test(value, operands, now):
        when = None if is_empty(value) else as_datetime(value)
        if when is None:
            return False
        start, end = within(now, duration_delta(operands[0]), past)
        return start <= when <= end

    return test


def _between(value, operands, now):
    low, high = order(value, operands[0]), order(value, operands[1])
    return low is not None and high is not None and low >= 0 and high <= 0


FIELD_TESTS = {
    "=": lambda value, operands, now: equals(value, operands[0]),
    "!=": lambda value, operands, now: not equals(value, operands[0]),
    "<": _ordered(lambda r: r < 0),
    ">": _ordered(lambda r: r > 0),
    "<=": _ordered(lambda r: r <= 0),
    ">=": _ordered(lambda r: r >= 0),
    "in": lambda value, operands, now: any(equals(value, v) for v in operands[0]),
    "not_in": lambda value, operands, now: not any(equals(value, v) for v in operands[0]),
    "contains": _text_test(lambda v, s: s in v, when_empty=False),
    "not_contains": _text_test(lambda v, s: s not in v, when_empty=True),
    "starts_with": _text_test(lambda v, s: v.startswith(s), when_empty=False),
    "not_starts_with": _text_test(lambda v, s: not v.startswith(s), when_empty=True),
    "ends_with": _text_test(lambda v, s: v.endswith(s), when_empty=False),
    "before": _date_test(lambda r: r < 0, when_empty=True),
    "on_or_before": _date_test(lambda r: r <= 0, when_empty=True),
    "after": _date_test(lambda r: r > 0, when_empty=False),
    "on_or_after": _date_test(lambda r: r >= 0, when_empty=False),
    "in_past": _relative(past=True),
    "in_future": _relative(past=False),
    "between": _between,
    "is_empty": lambda value, operands, now: is_empty(value),
    "not_empty": lambda value, operands, now: not is_empty(value),
}
assert set(FIELD_TESTS) == set(FIELD_OPS)

_ORDER_CHECKS = {"<": lambda r: r < 0, ">": lambda r: r > 0, "<=": lambda r: r <= 0, ">=": lambda r: r >= 0}
# The same checks against a number, as one comparison of the field's number n
# with the operand o, with whether to negate it: `order` gives r = (n > o) -
# (n < o), so r < 0 is n < o, r > 0 is n > o, r <= 0 is not n > o and r >= 0
# is not n < o (for any numbers, NaN too: n < o and n > o are never both true).
_NUMBER_CHECKS = {
    "<": (operator.lt, False),
    ">": (operator.gt, False),
    "<=": (operator.gt, True),
    ">=": (operator.lt, True),
}
_TEXT_CHECKS = {  # check(field's folded text, operand's folded text), and the answer for an empty field
    "contains": (operator.contains, False),
    "not_contains": (lambda v, s: s not in v, True),
    "starts_with": (str.startswith, False),
    "not_starts_with": (lambda v, s: not v.startswith(s), True),
    "ends_with": (str.endswith, False),
}


def field_test(op: str, operands: list) -> Callable[[object, dt.datetime], bool]:
    """`FIELD_TESTS[op]` with its operands known in advance (literals):
    `test(value, now)` gives the same answer as `FIELD_TESTS[op](value,
    operands, now)`, with what depends only on the operands worked out once."""
    if op in ("=", "!="):
        equal = equals_to(operands[0])
        return (lambda value, now: equal(value)) if op == "=" else (lambda value, now: not equal(value))
    if op in ("in", "not_in"):
        member = member_of(operands[0])
        return (lambda value, now: member(value)) if op == "in" else (lambda value, now: not member(value))
    if op in _NUMBER_CHECKS and isinstance(operands[0], (int, float)) and not isinstance(operands[0], bool):
        return _number_order(op, operands[0])
    if op in _ORDER_CHECKS:
        compare, check = order_to(operands[0]), _ORDER_CHECKS[op]

        def ordered(value, now) -> bool:
            result = compare(value)
            return result is not None and check(result)

        return ordered
    if op in _TEXT_CHECKS:
        (check, when_empty), wanted = _TEXT_CHECKS[op], text(operands[0]).casefold()

        def text_test(value, now) -> bool:
            if type(value) is str:  # most fields: text, its own text
                return check(value.casefold(), wanted) if value else when_empty
            return when_empty if is_empty(value) else check(text(value).casefold(), wanted)

        return text_test
    if op == "is_empty":
        return lambda value, now: is_empty(value)
    if op == "not_empty":
        return lambda value, now: not is_empty(value)
    test = FIELD_TESTS[op]
    return lambda value, now: test(value, operands, now)


def _number_order(op: str, operand: int | float):
    """`<`, `>`, `<=`, `>=` against a number: `order_to` and the check in one
    (see `_NUMBER_CHECKS`); an empty field counts as 0, text that is no number
    matches nothing."""
    compare, negate = _NUMBER_CHECKS[op]

    def number_order(value, now) -> bool:
        if type(value) is int:  # most score fields
            number = value
        elif is_empty(value):
            number = 0
        else:
            number = as_number(value)
            if number is None:
                return False
        return compare(number, operand) is not negate

    return number_order


@attrs.define
class ConditionSpec:
    name: str
    signature: Signature
    summary: str = ""
    # evaluate(env, args) -> bool: `args` maps parameter names to the call's
    # values; `env` is the interpreter's condition environment (`person`,
    # `resolve(kind, value)`, `key(target)`, `text(value)`, `has_done(type, key)` for the
    # person's history, `qualifies(smart_list)`).
    evaluate: Callable[..., bool] | None = None


def _member_of_list(env, a) -> bool:
    return env.person.in_list(env.resolve("list", a["list"]))


def _member_of_program(env, a) -> bool:
    status = env.person.status(env.resolve("program", a["program"]))
    if status is None:
        return False
    return a["status"] is None or status.casefold() == env.text(a["status"]).casefold()


def _member_of_smart_list(env, a) -> bool:
    return env.qualifies(env.resolve("smart_list", a["smart_list"]))


def _was_sent_email(env, a) -> bool:
    return env.has_done("Send Email", env.key(env.resolve("email", a["email"])))


def _was_executed_campaign(env, a) -> bool:
    # A qualified Executed Campaign only: a person the executable turned away never ran through it.
    return env.has_done("Executed Campaign", env.key(env.resolve("campaign", a["campaign"])))


CONDITIONS: dict[str, ConditionSpec] = {
    c.name: c
    for c in [
        ConditionSpec("member_of_list", sig(pos("list", "list")), "is in a static list", _member_of_list),
        ConditionSpec(
            "member_of_program",
            sig(pos("program", "program"), kw("status", "text")),
            "is a member of a program, optionally with a status",
            _member_of_program,
        ),
        ConditionSpec(
            "member_of_smart_list",
            sig(pos("smart_list", "smart_list")),
            "qualifies for a smart list asset",
            _member_of_smart_list,
        ),
        ConditionSpec("was_sent_email", sig(pos("email", "email")), "was sent an email", _was_sent_email),
        ConditionSpec(
            "was_executed_campaign",
            sig(pos("campaign", "campaign")),
            "ran through an executable campaign's flow",
            _was_executed_campaign,
        ),
    ]
}
