"""Where the checker's rules put what they find.

Every rule reports through one `Report`. A diagnostic may name the campaign it
was found in (its *owner*). A clone checks the smart list and flow it copied
from another campaign in its own scope and kind, so a problem can sit on a
line of the original that is fine for the original itself: such a
diagnostic moves to the clone's `clone_of`, where the user can fix it; when
the original has the same problem at the same place, the copy is dropped.
"""

from __future__ import annotations

from mkc.checker.model import CampaignInfo, Model
from mkc.diagnostics import Diagnostic
from mkc.source import Span


class Report:
    def __init__(self, model: Model, diagnostics: list[Diagnostic] | None = None):
        self.model = model
        self._found: list[tuple[Diagnostic, CampaignInfo | None]] = [(d, None) for d in diagnostics or ()]

    def error(self, code: str, message: str, span: Span | None, *hints: str, owner: CampaignInfo | None = None):
        self._found.append((Diagnostic(code, message, span, "error", tuple(h for h in hints if h)), owner))

    def warning(self, code: str, message: str, span: Span | None, *hints: str, owner: CampaignInfo | None = None):
        self._found.append((Diagnostic(code, message, span, "warning", tuple(h for h in hints if h)), owner))

    def finish(self) -> list[Diagnostic]:
        """Every diagnostic once, copies moved to the clone, sorted by position."""
        direct: list[Diagnostic] = []
        copied: list[tuple[Diagnostic, CampaignInfo]] = []
        for diag, owner in self._found:
            if owner is not None and _copied_from_base(diag.span, owner):
                copied.append((diag, owner))
            else:
                direct.append(diag)
        at = {(d.code, d.span) for d in direct}
        for diag, owner in copied:
            if (diag.code, diag.span) in at:
                continue  # the original says it already
            direct.append(_move_to_clone(diag, owner))
        seen, out = set(), []
        for diag in direct:
            key = (diag.code, diag.span, diag.message)
            if key not in seen:
                seen.add(key)
                out.append(diag)
        return sorted(out, key=Diagnostic.sort_key)


def inside(span: Span | None, outer: Span | None) -> bool:
    if span is None or outer is None or span.file != outer.file:
        return False
    return (outer.line, outer.column) <= (span.line, span.column) and (span.end_line, span.end_column) <= (
        outer.end_line,
        outer.end_column,
    )


def _copied_from_base(span: Span | None, owner: CampaignInfo) -> bool:
    if owner.base is None or owner.node.clone_of is None or inside(span, owner.node.span):
        return False
    base = owner.base
    while base is not None:
        if inside(span, base.node.span):
            return True
        base = base.base
    return False


def _move_to_clone(diag: Diagnostic, clone: CampaignInfo) -> Diagnostic:
    where = f"line {diag.span.line}" if diag.span else "the original"
    message = f"in what {clone.name} copies through `clone_of` ({where}): {diag.message}"
    hints = (*diag.hints, f"give {clone.name} its own smart list or flow, or fix the original at {where}")
    return Diagnostic(diag.code, message, clone.node.clone_of.span, diag.severity, hints)
