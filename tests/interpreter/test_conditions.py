"""Condition evaluation, one operator at a time (spec section 3), and the logic line."""

from __future__ import annotations

import datetime as dt

import pytest

from mkc.grammar import ast
from mkc.interpreter.conditions import logic
from mkc.stdlib.conditions import FIELD_OPS, FIELD_TESTS
from mkc.stdlib.values import equals, same

NOW = dt.datetime(2026, 1, 10, 12, 0)
D = dt.date
T = dt.datetime


def holds(op, value, *operands):
    return FIELD_TESTS[op](value, list(operands), NOW)


def test_every_operator_has_a_test():
    assert set(FIELD_TESTS) == set(FIELD_OPS)


@pytest.mark.parametrize(
    ("op", "value", "operands", "expected"),
    [
        # text is case-insensitive; a never-set field is empty
        ("=", "NL", ("nl",), True),
        ("=", None, ("nl",), False),
        ("!=", None, ("nl",), True),
        ("!=", "Nl", ("nL",), False),
        # a number = 0 also matches empty; an empty number counts as 0
        ("=", None, (0,), True),
        ("=", "", (0,), True),
        ("=", 0, (0,), True),
        ("=", None, (1,), False),
        ("!=", None, (0,), False),
        ("<", None, (10,), True),
        (">", None, (0,), False),
        ("<=", None, (0,), True),
        # numbers by value, numeric text too
        ("=", "10", (10,), True),
        ("=", 10.0, (10,), True),
        (">=", 10, (10,), True),
        (">", 10, (10,), False),
        ("<", "abc", (10,), False),
        # between is inclusive
        ("between", 10, (10, 40), True),
        ("between", 40, (10, 40), True),
        ("between", 41, (10, 40), False),
        ("between", D(2026, 1, 5), (D(2026, 1, 5), D(2026, 1, 6)), True),
        # in / not_in
        ("in", "be", (("NL", "BE"),), True),
        ("in", None, (("NL",),), False),
        ("not_in", None, (("NL",),), True),
        ("not_in", "nl", (("NL",),), False),
        # text operators ignore case; an empty field contains nothing
        ("contains", "Ann@Example.com", ("EXAMPLE",), True),
        ("contains", None, ("x",), False),
        ("not_contains", None, ("x",), True),
        ("starts_with", "Anne", ("an",), True),
        ("not_starts_with", "Anne", ("an",), False),
        ("not_starts_with", None, ("an",), True),
        ("ends_with", "a@b.ORG", (".org",), True),
        # before / on_or_before also match an empty date; after / on_or_after do not
        ("before", None, (D(2026, 1, 1),), True),
        ("on_or_before", None, (D(2026, 1, 1),), True),
        ("after", None, (D(2026, 1, 1),), False),
        ("on_or_after", None, (D(2026, 1, 1),), False),
        # a date-only operand means the whole day
        ("before", T(2026, 1, 1, 23, 0), (D(2026, 1, 1),), False),
        ("on_or_before", T(2026, 1, 1, 23, 0), (D(2026, 1, 1),), True),
        ("after", T(2026, 1, 1, 23, 0), (D(2026, 1, 1),), False),
        ("on_or_after", T(2026, 1, 1, 0, 0), (D(2026, 1, 1),), True),
        ("before", T(2026, 1, 1, 8, 0), (T(2026, 1, 1, 9, 0),), True),
        ("after", "2026-02-01", (D(2026, 1, 1),), True),
        ("before", "not a date", (D(2026, 1, 1),), False),
        # relative to the clock (NOW is 2026-01-10T12:00)
        ("in_past", D(2026, 1, 5), (ast.Duration(7, "day"),), True),
        ("in_past", D(2026, 1, 2), (ast.Duration(7, "day"),), False),
        ("in_past", T(2026, 1, 11), (ast.Duration(7, "day"),), False),
        ("in_future", T(2026, 2, 8), (ast.Duration(1, "month"),), True),
        ("in_future", T(2026, 2, 10), (ast.Duration(1, "month"),), False),
        ("in_future", None, (ast.Duration(1, "month"),), False),
        # emptiness
        ("is_empty", None, (), True),
        ("is_empty", "", (), True),
        ("is_empty", 0, (), False),
        ("not_empty", "x", (), True),
    ],
)
def test_field_operators(op, value, operands, expected):
    assert holds(op, value, *operands) is expected


def test_booleans_are_false_until_set():
    assert equals(None, False) and not equals(None, True)
    assert equals("TRUE", True) and equals(True, True)


def test_same_is_a_real_change_test():
    assert same("MQL", "mql") and same(None, "") and same(10, "10")
    assert not same(None, 0) and not same("a", "b") and not same(True, False)


@pytest.mark.parametrize(
    ("text", "results", "expected"),
    [
        ("all", [True, True], True),
        ("all", [True, False], False),
        ("any", [False, True], True),
        ("ANY", [False, False], False),
        ("1 and (2 or 3)", [True, False, True], True),
        ("1 and (2 or 3)", [False, True, True], False),
        ("(1 or 2) and not 3", [True, False, True], False),
        ("not (1 or 2)", [False, False], True),
        ("1 AND 2", [True, True], True),
        ("1 or 2 and 3", [True, False, False], True),  # `and` binds tighter (the checker asks for parentheses)
    ],
)
def test_logic(text, results, expected):
    assert logic(text, len(results))(results) is expected


@pytest.mark.parametrize("text", ["1 and 3", "0", "1 and", "(1 or 2", "1 xor 2", "", "1 2"])
def test_unreadable_logic_or_missing_filter_numbers_are_errors(text):
    with pytest.raises(ValueError):
        logic(text, 2)
