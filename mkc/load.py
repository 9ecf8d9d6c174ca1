"""Parse and check a file in one call: what every command starts with."""

from __future__ import annotations

import attrs

from mkc.checker import check
from mkc.checker.model import Model
from mkc.diagnostics import Diagnostic, DiagnosticError
from mkc.grammar import parse
from mkc.source import Source


@attrs.define
class Loaded:
    source: Source
    model: Model | None  # None when the file does not parse
    diagnostics: list[Diagnostic]

    @property
    def has_errors(self) -> bool:
        return any(d.is_error for d in self.diagnostics)


def load_source(source: Source) -> Loaded:
    try:
        module = parse(source.text, source.name)
    except DiagnosticError as err:
        return Loaded(source, None, err.diagnostics)
    model, diags = check(module)
    return Loaded(source, model, diags)
