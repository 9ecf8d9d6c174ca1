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


def load_source(source: Source, known_fields: dict[str, str] | None = None) -> Loaded:
    """`known_fields` (field -> type) are fields known from elsewhere, such as
    the columns of the database a run will read."""
    try:
        module = parse(source.text, source.name)
    except DiagnosticError as err:
        return Loaded(source, None, err.diagnostics)
    model, diags = check(module, known_fields)
    return Loaded(source, model, diags)
