"""The logic line's one parser (grammar/logic.py): its tree, its errors, and
lines too long or too deep for recursion."""

from __future__ import annotations

import pytest
import shallow_stack

from mkc.grammar import logic
from mkc.grammar.logic import And, Every, Filter, LogicError, Not, Or


def numbers(node):
    return logic.folded(node, lambda f: f.number, lambda t: ("not", t), lambda ts: ("and", *ts), lambda ts: ("or", *ts))


@pytest.mark.parametrize(
    ("text", "shape"),
    [
        ("1", 1),
        ("1 and (2 or not 3)", ("and", 1, ("or", 2, ("not", 3)))),
        ("not (1 OR 2) AND 3", ("and", ("not", ("or", 1, 2)), 3)),
        ("((1))", 1),
        ("not not 1", ("not", ("not", 1))),
        ("1and2", ("and", 1, 2)),
        ("(1 and 2) and 3", ("and", ("and", 1, 2), 3)),
    ],
)
def test_the_tree(text, shape):
    assert numbers(logic.parse(text)) == shape


def test_all_and_any_in_any_case():
    assert logic.parse(" ALL ") == Every("all")
    assert logic.parse("any") == Every("any")
    assert logic.filters(Every("all")) == []


def test_each_filter_knows_where_it_is_written():
    text = "12 or (not 3)"
    tree = logic.parse(text)
    assert tree == Or((Filter(12, 0, 2), Not(Filter(3, 11, 12))))
    assert [text[f.start : f.end] for f in logic.filters(tree)] == ["12", "3"]


def test_mixing_and_with_or_is_an_error_unless_asked_for():
    with pytest.raises(LogicError, match="mixed without parentheses") as err:
        logic.parse("1 or 2 and 3")
    assert err.value.offset == 7
    # asked for, `and` binds tighter, as in Python
    assert numbers(logic.parse("1 or 2 and 3 or 4", mixed=True)) == ("or", 1, ("and", 2, 3), 4)
    assert logic.parse("1 or 2 and 3", mixed=True) == Or((Filter(1, 0, 1), And((Filter(2, 5, 6), Filter(3, 11, 12)))))


@pytest.mark.parametrize(
    ("text", "message", "offset"),
    [
        ("", "the logic line is empty", 0),
        ("1 and x", "`x` is not a filter number, `and`, `or` or `not`", 6),
        ("1 & 2", "`&` cannot stand in a logic line", 2),
        ("1 and", "the logic line ends where a filter number was expected", 5),
        ("(1 or 2", "a `(` is never closed", 7),
        ("(1 2", "a `(` is never closed", 3),
        ("1 2", "unexpected `2`", 2),
        ("1 )", "unexpected `)`", 2),
        ("and 1", "`and` where a filter number was expected", 0),
    ],
)
def test_errors_say_what_and_where(text, message, offset):
    with pytest.raises(LogicError) as err:
        logic.parse(text)
    assert (str(err.value), err.value.offset) == (message, offset)


def test_nesting_beyond_the_limit_is_an_error():
    deep = logic.MAX_DEPTH
    assert numbers(logic.parse("(" * deep + "1" + ")" * deep)) == 1
    for text in ("(" * (deep + 1) + "1" + ")" * (deep + 1), "not " * (deep + 1) + "1"):
        with pytest.raises(LogicError, match=f"nest more than {deep} deep"):
            logic.parse(text)


def test_long_and_deep_lines_need_no_recursion():
    flat = " or ".join(str(i % 9 + 1) for i in range(20_000))
    deep = "not (" * 50 + "1 and 2" + ")" * 50
    with shallow_stack.shallow(20):
        tree = logic.parse(flat)
        assert len(logic.filters(tree)) == 20_000
        assert len(tree.terms) == 20_000
        assert logic.filters(logic.parse(deep)) == [Filter(1, 250, 251), Filter(2, 256, 257)]
