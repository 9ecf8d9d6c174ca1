"""One diagnostic type and one renderer for every phase (spec section 9)."""

from __future__ import annotations

import json
import sys

import attrs

from mkc.source import Source, Span
from mkc.terminal import TAB, cells, paint, wants_color


@attrs.frozen
class Diagnostic:
    code: str
    message: str
    span: Span | None
    severity: str = "error"  # or "warning"
    hints: tuple[str, ...] = ()

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def sort_key(self):
        s = self.span
        return (s.file, s.line, s.column) if s else ("", 0, 0)


class DiagnosticError(Exception):
    """Raised by a phase that cannot go on; carries what it found."""

    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__("\n".join(d.message for d in diagnostics))
        self.diagnostics = diagnostics


_STYLES = {"error": "bold red", "warning": "bold yellow", "hint": "bold cyan"}


def render(diag: Diagnostic, sources: dict[str, Source] | None = None, color: bool = False) -> str:
    """`file:line:col: error[code]: message`, the source line, carets, hints.

    The carets go under what the span covers as a terminal shows it: a CJK
    character or an emoji takes two cells, a tab is shown as four spaces."""
    span = diag.span
    where = f"{span}: " if span else ""
    head = f"{where}{paint(f'{diag.severity}[{diag.code}]', _STYLES[diag.severity], color)}: {diag.message}"
    out = [paint(head, "bold", color) if not span else head]
    source = sources.get(span.file) if (sources and span) else None
    if span and source is not None:
        raw = source.line(span.line)
        if raw or span.line <= len(source.lines):
            gutter = str(span.line)
            pad = " " * len(gutter)
            start = span.column - 1
            covered = raw[start : span.end_column - 1] if span.end_line == span.line else raw[start:]
            wanted = span.end_column - span.column if span.end_line == span.line else len(covered)
            # Columns past the line's end (a span ending at the newline) take a cell each.
            indent = _cells(raw[:start]) + max(0, start - len(raw))
            width = max(1, _cells(covered) + max(0, wanted - len(covered)))
            out.append(f"{pad} |")
            out.append(f"{gutter} | {raw.replace(chr(9), TAB)}")
            out.append(f"{pad} | {' ' * indent}{paint('^' * width, _STYLES[diag.severity], color)}")
    for hint in diag.hints:
        out.append(f"  = {paint('hint', _STYLES['hint'], color)}: {hint}")
    return "\n".join(out)


def _cells(text: str) -> int:
    return cells(text.replace("\t", TAB))


def render_all(diags: list[Diagnostic], sources: dict[str, Source], color: bool = False) -> str:
    ordered = sorted(diags, key=Diagnostic.sort_key)
    return "\n".join(render(d, sources, color) + "\n" for d in ordered)


def to_json(diags: list[Diagnostic], files: int) -> str:
    """`mkc check --format json`: one document (docs/check-format.schema.json),
    the diagnostics in the order given (the order text mode prints them)."""

    def entry(d: Diagnostic) -> dict:
        s = d.span
        place = (s.file, s.line, s.column, s.end_line, s.end_column) if s else (None,) * 5
        keys = ("file", "line", "column", "end_line", "end_column")
        return {
            **dict(zip(keys, place)),
            "severity": d.severity,
            "code": d.code,
            "message": d.message,
            "hints": list(d.hints),
        }

    errors = sum(d.is_error for d in diags)
    doc = {
        "version": 1,
        "files": files,
        "errors": errors,
        "warnings": len(diags) - errors,
        "diagnostics": [entry(d) for d in diags],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _escape_data(text: str) -> str:
    # GitHub's rules for a workflow command's message (actions/toolkit `escapeData`).
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def to_github(diag: Diagnostic) -> str:
    """`mkc check --format github`: one workflow command, which GitHub Actions
    shows as an annotation on the line; hints follow the message, a line each."""
    s = diag.span
    place = ()
    if s is not None:
        place = (("file", s.file), ("line", s.line), ("col", s.column), ("endLine", s.end_line))
        place += (("endColumn", s.end_column),)
    props = [f"{key}={_escape_property(str(value))}" for key, value in (*place, ("title", diag.code))]
    message = "\n".join([diag.message, *(f"hint: {h}" for h in diag.hints)])
    return f"::{diag.severity} {','.join(props)}::{_escape_data(message)}"


def print_diagnostics(diags: list[Diagnostic], sources: dict[str, Source]) -> None:
    """Every diagnostic to stderr, in colour when it is a terminal."""
    if diags:
        sys.stderr.write(render_all(diags, sources, color=wants_color(sys.stderr)))
