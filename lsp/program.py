"""The language server's one view of a program: a file, or its whole
project, loaded as `mkc check` loads it but with the editor's unsaved texts.

Everything the server knows about names comes through `Program` (the
checker's `Model` and insight/refs.py's places today), so that it can move
to another model of the checked program by changing this module alone.
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path

import attrs

from mkc.checker.model import CampaignInfo, Model
from mkc.diagnostics import Diagnostic
from mkc.grammar import unparse
from mkc.grammar.transform import unquote
from mkc.insight import refs
from mkc.insight.contexts import run_contexts
from mkc.load import Loaded, display_name, load_project, load_source
from mkc.project import find_project
from mkc.source import BadInput, Source, Span, read_source

RENAMEABLE = ("campaign", "list", "smart_list", "email", "webhook", "token")


def real(name: str) -> str:
    return os.path.realpath(name)


def key_of(path: str) -> str:
    """What a file is analysed with: its project's directory, or the file alone."""
    project = find_project(Path(path))
    return str(project.root) if project is not None else real(path)


@attrs.define
class Program:
    loaded: Loaded
    texts: dict[str, str]  # real path -> the text analysed (open files as the editor holds them)

    @property
    def model(self) -> Model | None:
        return self.loaded.model

    @property
    def files(self) -> list[str]:
        """Every file analysed, by real path."""
        return [real(name) for name in self.loaded.sources]

    def diagnostics(self) -> dict[str, list[Diagnostic]]:
        """By real path, every file analysed (files without any: empty)."""
        out: dict[str, list[Diagnostic]] = {f: [] for f in self.files}
        for d in self.loaded.diagnostics:
            if d.span is not None:
                out.setdefault(real(d.span.file), []).append(d)
        return out

    def text(self, path: str) -> str:
        for name, source in self.loaded.sources.items():
            if real(name) == path:
                return source.text
        return ""

    @functools.cached_property
    def places(self) -> list[refs.Place]:
        return refs.places(self.model) if self.model is not None else []

    # ---- what is at a place -------------------------------------------------------

    def place_at(self, path: str, line: int, column: int) -> refs.Place | None:
        """The use or declaration at a 1-based line and column: the innermost
        use, or a declaration when on its name."""
        best = None
        for p in self.places:
            s = p.span
            if s is None or real(s.file) != path or not _contains(s, line, column):
                continue
            if p.declaration or p.kind == "person":  # a person's use spans its whole command
                r = self.name_span(p)
                if r is None or not _contains(r, line, column):
                    continue
            if best is None or _size(s) < _size(best.span):
                best = p
        return best

    def same(self, place: refs.Place) -> list[refs.Place]:
        """Every declaration and use of what `place` names."""
        if place.kind in refs.BY_NAME:
            return [p for p in self.places if p.kind == place.kind and p.target == place.target]
        if place.target is None:
            return [place]
        return [p for p in self.places if p.kind == place.kind and p.target is place.target]

    def campaign_at(self, path: str, line: int, column: int) -> CampaignInfo | None:
        if self.model is None:
            return None
        for c in self.model.campaigns:
            s = c.span
            if s is not None and real(s.file) == path and _contains(s, line, column):
                return c
        return None

    def callers(self, c: CampaignInfo) -> list[str]:
        return [p.what for p in self.places if p.kind == "campaign" and p.target is c and not p.declaration]

    def token_values(self, name: str, c: CampaignInfo | None) -> list[tuple[str, list[tuple[str, str]]]]:
        """My Token `name`'s value in every context each campaign using it can run in; only `c`'s, if given."""
        if c is None:
            return refs.token_values(self.model, name)
        rows = []
        for ctx in run_contexts(self.model)[id(c)]:
            source = ctx.my(self.model, name)
            value = f"{unparse.value(source.value)} ({source.describe()})" if source else "undefined: a Failed Step"
            rows.append((ctx.describe(), value))
        return [(c.full_name, rows)]

    # ---- names, for renaming -------------------------------------------------------------

    def name_span(self, place: refs.Place) -> Span | None:
        """Where the name itself is written within a place."""
        s = place.span
        if s is None:
            return None
        text = _span_text(self.text(real(s.file)), s)
        if place.kind in ("field", "person"):
            return self._word_span(place, text)
        if place.kind == "token":
            m = _TOKEN_DECL.match(text) if place.declaration else _TOKEN_USE.search(text)
            if m is None:
                return None
            return _sub(s, text, m.start(1), m.end(1))
        if place.declaration:
            m = _DECLARED.match(text)
            return _sub(s, text, m.start(1), m.end(1)) if m else None
        m = _LAST_PART.search(text.split("\n", 1)[0])
        return _sub(s, text, m.start(0), m.end(0)) if m else None

    def _word_span(self, place: refs.Place, text: str) -> Span | None:
        """A field or person: the first word (bare or quoted) naming it, after
        the leading keyword for a person (`person`, `event`, `expect`...; `for`
        in `run`/`request`); None where it is not written (a step's default field)."""
        words = list(_WORD.finditer(text))
        if place.kind == "person" and words:
            head = words[0].group()
            after = next((i for i, w in enumerate(words) if w.group() == "for"), 0) if head in ("run", "request") else 0
            words = words[after + 1 :]
        m = next((w for w in words if unquote(w.group()) == place.target), None)
        return _sub(place.span, text, m.start(), m.end()) if m else None

    def rename(self, place: refs.Place, new: str) -> dict[str, list[tuple[Span, str]]]:
        """Edits (by real path) renaming what `place` names; BadInput when it cannot be."""
        if place.kind not in RENAMEABLE or place.target is None:
            raise BadInput(f"only campaigns, assets and My Tokens can be renamed, not this {place.kind}")
        new = new.strip()
        if not new or '"' in new or "\n" in new or (place.kind == "token" and not _TOKEN_NAME.fullmatch(new)):
            raise BadInput(f"`{new}` cannot be a name")
        clash = self._clash(place, new)
        if clash:
            raise BadInput(clash)
        edits: dict[str, list[tuple[Span, str]]] = {}
        for p in self.same(place):
            span = self.name_span(p)
            if span is None:
                continue
            if place.kind == "token":
                text = unparse.bare(new) if p.declaration else new  # `my.NAME = …`, or inside `<<my.NAME>>`
            elif place.kind == "campaign":
                text = unparse.name(new)  # bare where it can be; a lone string names a campaign as well
            else:
                text = unparse.string(new)  # assets are named by strings
            edits.setdefault(real(span.file), []).append((span, text))
        return edits

    def _clash(self, place: refs.Place, new: str) -> str | None:
        """Why `new` is taken, or None. Conservative: a name another thing of
        the kind already has anywhere references could reach is refused, as
        a reference that resolved to one thing could then resolve to another."""
        m = self.model
        if place.kind == "campaign":
            c = place.target
            taken = [o for o in m.campaigns if o.name == new and o.workspace == c.workspace and o is not c]
            if taken:
                return f"{taken[0].full_name} already has the name {new} in workspace {c.workspace}"
        elif place.kind == "token":
            if any(p.kind == "token" and p.target == new for p in self.places):
                return f"my.{new} already exists; renaming my.{place.target} to it would merge the two"
        else:
            for scope in m.all_scopes:
                if new in scope.assets.get(place.kind, {}):
                    return f"{scope.label} already has a {place.kind.replace('_', ' ')} {new}"
        return None


def analyse(path: str, overlay: dict[str, str]) -> Program:
    """`path`'s program (its project's, if it lies in one), with `overlay`'s
    texts (real path -> text) standing in for what is on disk."""
    project = find_project(Path(path))
    if project is not None:
        loaded = load_project(project, given=display_name(Path(path)), overlay=overlay)
    else:
        name = display_name(Path(path))
        text = overlay.get(real(path))
        loaded = load_source(Source(name, text) if text is not None else read_source(name))
    return Program(loaded, overlay)


# ---- helpers ---------------------------------------------------------------------------

_STRING = r'"(?:\\.|[^"\\\n])*"'
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_DECLARED = re.compile(rf"(?:campaign|program|list|smart_list|email|webhook)\s+({_STRING}|{_NAME})")
_TOKEN_DECL = re.compile(rf"{_NAME}\s*\.\s*({_STRING}|{_NAME})")
_TOKEN_USE = re.compile(r"<<\s*my\s*\.\s*([^<>:\n]+?)\s*(?::default=[^>\n]*)?>>")
_TOKEN_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_\- ]*")
_WORD = re.compile(rf"{_STRING}|{_NAME}")
_LAST_PART = re.compile(rf"(?:{_STRING}|{_NAME})$")


def _contains(s: Span, line: int, column: int) -> bool:
    return (s.line, s.column) <= (line, column) <= (s.end_line, s.end_column)


def _size(s: Span) -> tuple[int, int]:
    return (s.end_line - s.line, s.end_column - s.column)


def _offset(text: str, line: int, column: int) -> int:
    lines = text.split("\n")
    return sum(len(x) + 1 for x in lines[: line - 1]) + column - 1


def _span_text(text: str, s: Span) -> str:
    return text[_offset(text, s.line, s.column) : _offset(text, s.end_line, s.end_column)]


def _sub(s: Span, text: str, start: int, end: int) -> Span:
    """The part of span `s` (whose text is `text`) from `start` to `end`."""

    def at(i: int) -> tuple[int, int]:
        before = text[:i]
        line = s.line + before.count("\n")
        column = (s.column + i) if "\n" not in before else len(before) - before.rfind("\n")
        return line, column

    return Span(s.file, *at(start), *at(end))
