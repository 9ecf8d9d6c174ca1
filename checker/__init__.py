"""The checker: resolve names and reject what Marketo forbids (spec sections 2-6, 9).

`check(module)` gives the resolved `Model` and every diagnostic, sorted by
position; the interpreter runs a model only when none is an error.
"""

from __future__ import annotations

from mkc.checker.model import Model, build
from mkc.diagnostics import Diagnostic
from mkc.grammar import ast


def check(module: ast.Module) -> tuple[Model, list[Diagnostic]]:
    model, diags = build(module)
    return model, sorted(diags, key=Diagnostic.sort_key)
