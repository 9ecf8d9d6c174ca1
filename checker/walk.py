"""Walking the parts of a program the rules look at."""

from __future__ import annotations

from collections.abc import Iterator

from mkc.checker.model import Model, Scope
from mkc.grammar import ast


def steps(items) -> Iterator[ast.Step]:
    """Every step of a flow, including those in choice branches, in order."""
    for item in items:
        if isinstance(item, ast.Step):
            yield item
        elif isinstance(item, ast.Choice):
            for when in item.whens:
                yield from steps((when.step,))
            if item.default is not None:
                yield from steps((item.default,))


def choices(items) -> Iterator[ast.Choice]:
    for item in items:
        if isinstance(item, ast.Choice):
            yield item
            yield from choices([w.step for w in item.whens] + ([item.default] if item.default else []))


def branch_conditions(items) -> Iterator[ast.Cond]:
    """The `when` conditions of every choice in a flow."""
    for choice in choices(items):
        for when in choice.whens:
            yield when.cond


def atoms(cond) -> Iterator[ast.FieldCond | ast.FuncCond]:
    """The field tests and named conditions of a condition, in order. With a
    stack, not recursion: `a and b and … and z` nests as deep as it is long."""
    todo = [cond]
    while todo:
        cond = todo.pop()
        if isinstance(cond, ast.Not):
            todo.append(cond.cond)
        elif isinstance(cond, (ast.And, ast.Or)):
            todo += (cond.right, cond.left)
        else:
            yield cond


def values(value) -> Iterator:
    """A value and, for a list, every item in it."""
    if isinstance(value, ast.ListValue):
        for item in value.items:
            yield from values(item)
    elif value is not None:
        yield value


def call_values(call) -> Iterator:
    """Every value a step, trigger or named condition is given."""
    for arg in call.args:
        yield from values(arg)
    for kwarg in call.kwargs:
        yield from values(kwarg.value)


def smart_list_assets(model: Model) -> Iterator[tuple[ast.SmartListAsset, Scope]]:
    for scope in model.all_scopes:
        for asset in scope.assets.get("smart_list", {}).values():
            yield asset, scope


def kwarg(call, name: str):
    return next((k.value for k in call.kwargs if k.name == name), None)
