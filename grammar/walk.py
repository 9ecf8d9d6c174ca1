"""Walking the AST: the one set of walks every phase uses (the checker's
rules, the interpreter, insight, the REPL).

All of them use an explicit stack, never recursion: `a and b and … and z`
nests as deep as it is long, and a file may hold thousands of items.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator

import attrs

from mkc.grammar import ast


def nodes(root) -> Iterator:
    """Every AST node under `root` (itself included), parents before
    children, in the order they are written."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        children = []
        # As kept: a tuple field of one keeps its item bare (`ast.node`), read as it is
        for name in _child_fields(type(node)):
            value = getattr(node, name)
            if isinstance(value, tuple):
                children.extend(v for v in value if attrs.has(type(v)))
            elif attrs.has(type(value)):
                children.append(value)
        stack.extend(reversed(children))


@functools.cache
def _child_fields(cls: type) -> tuple[str, ...]:
    """The attributes of a node class that may hold nodes: all but its spans."""
    return tuple(f.name for f in attrs.fields(cls) if not f.alias.endswith("span"))


def steps(items: Iterable) -> Iterator[ast.Step]:
    """Every step of a flow, including those in choice branches, in order."""
    for item in items:
        if isinstance(item, ast.Step):
            yield item
        elif isinstance(item, ast.Choice):
            yield from _inside(item, ast.Step)


def choices(items: Iterable) -> Iterator[ast.Choice]:
    """Every choice of a flow, a choice before the choices in its branches."""
    for item in items:
        if isinstance(item, ast.Choice):
            yield item
            yield from _inside(item, ast.Choice)


def _inside(choice: ast.Choice, kind: type) -> Iterator:
    """The items of type `kind` in a choice's branches, and in theirs, in order."""
    todo = branches(choice)
    todo.reverse()
    while todo:
        item = todo.pop()
        if isinstance(item, kind):
            yield item
        if isinstance(item, ast.Choice):
            todo += reversed(branches(item))


def branches(choice: ast.Choice) -> list:
    """The items a choice may run: each `when`'s, then the default's."""
    return [w.step for w in choice.whens] + ([choice.default] if choice.default is not None else [])


def branch_conditions(items: Iterable) -> Iterator[ast.Cond]:
    """The `when` conditions of every choice in a flow."""
    for choice in choices(items):
        for when in choice.whens:
            yield when.cond


def atoms(cond) -> Iterator[ast.FieldCond | ast.FuncCond]:
    """The field tests and named conditions of a condition, in order."""
    todo = [cond]
    while todo:
        cond = todo.pop()
        if isinstance(cond, ast.Not):
            todo.append(cond.cond)
        elif isinstance(cond, (ast.And, ast.Or)):
            todo += (cond.right, cond.left)
        else:
            yield cond


def last_atom(cond):
    """The field test or named condition a condition's text ends with."""
    while isinstance(cond, (ast.And, ast.Or, ast.Not)):
        cond = cond.cond if isinstance(cond, ast.Not) else cond.right
    return cond


def is_bare(cond) -> bool:
    """A named condition written without arguments (`is_vip`)."""
    return isinstance(cond, ast.FuncCond) and not cond.args and not cond.kwargs


def values(value) -> Iterator:
    """A value and, for a list, every item in it (not the list itself)."""
    if not isinstance(value, ast.ListValue):
        if value is not None:
            yield value
        return
    todo = list(reversed(value.items))
    while todo:
        value = todo.pop()
        if isinstance(value, ast.ListValue):
            todo += reversed(value.items)
        elif value is not None:
            yield value


def call_values(call) -> Iterator:
    """Every value a step, trigger or named condition is given."""
    for arg in call.args:
        yield from values(arg)
    for kwarg in call.kwargs:
        yield from values(kwarg.value)


def kwarg(call, name: str):
    """The value of a call's keyword argument `name`, or None."""
    return next((k.value for k in call.kwargs if k.name == name), None)
